"""The pages' upload forms share one reader (datadeed.web.uploads.form_file): a form sent
with its file input left empty, as browsers send it, answers ``choose a file``."""

from __future__ import annotations

from datadeed.registry.models import RegistrationApplication
from datadeed.web.deps import SESSION_COOKIE
from tests.unit.registry.builders import cast

EMPTY_INPUT = {"file": ("", b"", "application/octet-stream")}


def _login(client, accounts, user) -> str:  # type: ignore[no-untyped-def]
    client.cookies.set(SESSION_COOKIE, accounts.start_session(user))
    client.get("/login")
    return client.cookies.get("datadeed_csrf") or ""


def test_no_file_chosen_is_refused_by_both_upload_forms(client, accounts, ledger):
    people = cast()  # needs the db fixture, which ledger brings
    csrf = _login(client, accounts, people.applicant)
    draft = client.post(
        "/applications/new", data={"csrf_token": csrf, "title": "没有文件"}, follow_redirects=False
    )
    assert draft.status_code == 303
    app_id = int(draft.headers["location"].split("/")[2].split("?")[0])

    document = client.post(
        f"/application-documents/{app_id}",
        data={"csrf_token": csrf, "kind": "hold"},
        files=EMPTY_INPUT,
    )
    assert document.status_code == 400 and "choose a file" in document.text
    app = ledger.session.get(RegistrationApplication, app_id)
    assert app is not None and app.documents == []

    dataset = client.post(
        "/datasets/new", data={"csrf_token": csrf, "name": "没有文件"}, files=EMPTY_INPUT
    )
    assert dataset.status_code == 400 and "choose a file" in dataset.text
