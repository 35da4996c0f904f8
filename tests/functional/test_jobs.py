"""Background jobs through the API and the pages: large uploads and re-assessments run
as jobs, progress survives a reload, failures are shown and leave nothing behind;
claims are atomic under concurrent workers; the app's worker thread runs them."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

from fastapi.testclient import TestClient
from sqlalchemy import select

from datadeed import migrations
from datadeed.accounts.principal import Principal
from datadeed.accounts.roles import Role
from datadeed.accounts.services import AccountsService, principal_for
from datadeed.app import create_app
from datadeed.db import Database
from datadeed.jobs.services import JobService
from tests import factories
from tests.conftest import make_settings
from tests.factories import PASSWORD, UserFactory
from tests.functional.helpers import assert_problem, bearer, login_page

CSV = "订单号,城市,金额\n1,杭州,10.5\n2,宁波,\n3,温州,7\n".encode()


def _upload(client, headers, content=CSV, **params):  # type: ignore[no-untyped-def]
    return client.post(
        "/api/v1/datasets/upload",
        params={"name": "大文件", **params},
        content=content,
        headers=headers,
    )


def test_large_upload_becomes_an_intake_job(app, client, accounts):
    app.state.settings.assess_async_min_bytes = 16  # every test file counts as large
    user = UserFactory(roles=[Role.DATA_MANAGER])
    headers = bearer(accounts, user)
    response = _upload(client, headers)
    assert response.status_code == 202, response.text
    body = response.json()
    job = body["job"]
    assert (body["versions"], job["status"], job["kind"]) == ([], "queued", "dataset.intake")
    assert client.get(f"/api/v1/jobs/{job['id']}", headers=headers).json()["status"] == "queued"

    login_page(client, user.username, PASSWORD)
    page = client.get(f"/datasets/{body['id']}").text  # a reload shows the queued job
    assert f'data-testid="job-{job["id"]}"' in page and 'hx-trigger="every 2s"' in page

    assert JobService(app.state.db, app.state.settings).run_pending() == 1
    done = client.get(f"/api/v1/jobs/{job['id']}", headers=headers).json()
    assert done["status"] == "succeeded" and done["progress"] == 1.0
    assert done["result"]["version_no"] == 1
    dataset = client.get(f"/api/v1/datasets/{body['id']}", headers=headers).json()
    assert dataset["versions"][0]["row_count"] == 3
    assert dataset["versions"][0]["report_digest"] == done["result"]["report_digest"]

    fragment = client.get(f"/datasets/{body['id']}/jobs", params={"watching": job["id"]})
    assert fragment.headers.get("HX-Refresh") == "true"  # the page reloads to show v1
    assert "hx-trigger" not in fragment.text  # and stops polling


def test_failed_intake_job_is_shown_and_leaves_no_blob(app, client, accounts, settings):
    app.state.settings.assess_async_min_bytes = 16
    user = UserFactory(roles=[Role.DATA_MANAGER])
    headers = bearer(accounts, user)
    response = _upload(client, headers, content=b"\x89PNG\r\n\x1a\n" + bytes(range(256)))
    assert response.status_code == 202
    job_id = response.json()["job"]["id"]
    JobService(app.state.db, app.state.settings).run_pending()
    failed = client.get(f"/api/v1/jobs/{job_id}", headers=headers).json()
    assert (failed["status"], failed["error_code"]) == ("failed", "binary_file")
    assert not any(p.is_file() for p in settings.blobs_dir.rglob("*"))
    login_page(client, user.username, PASSWORD)
    page = client.get(f"/datasets/{response.json()['id']}").text
    assert 'data-testid="job-error"' in page and "binary_file" in page


def test_job_of_another_tenant_is_404(app, client, accounts):
    owner = bearer(accounts, UserFactory(roles=[Role.DATA_MANAGER]))
    dataset_id = _upload(client, owner).json()["id"]
    job = client.post(f"/api/v1/datasets/{dataset_id}/versions/1/assessments", headers=owner)
    assert job.status_code == 202
    stranger = bearer(accounts, UserFactory(roles=[Role.DATA_MANAGER]))
    assert_problem(
        client.get(f"/api/v1/jobs/{job.json()['id']}", headers=stranger), 404, "not_found"
    )
    assert_problem(
        client.post(f"/api/v1/datasets/{dataset_id}/versions/1/assessments", headers=stranger),
        404,
        "not_found",
    )
    assert_problem(
        client.post(f"/api/v1/datasets/{dataset_id}/versions/7/assessments", headers=owner),
        404,
        "not_found",
    )


def test_concurrent_workers_claim_each_job_once(tmp_path, fresh_database_url):
    migrations.upgrade(fresh_database_url)
    database = Database.from_url(fresh_database_url)
    service = JobService(database, make_settings(tmp_path, fresh_database_url))
    ids = {service.enqueue("test.claim", {"n": n}, Principal.system()).id for n in range(24)}
    barrier = threading.Barrier(4)

    def claim_all() -> list[int]:
        barrier.wait()
        claimed = []
        while (job_id := service.claim_next()) is not None:
            claimed.append(job_id)
        return claimed

    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(lambda _: claim_all(), range(4)))
    claimed = [job_id for part in results for job_id in part]
    assert sorted(claimed) == sorted(ids)  # every job once, none twice
    database.bind.dispose()  # type: ignore[union-attr]


def test_the_app_worker_thread_runs_jobs(tmp_path, fresh_database_url):
    """The real thing: the worker started by the app's lifespan picks the job up."""
    migrations.upgrade(fresh_database_url)
    database = Database.from_url(fresh_database_url)
    settings = make_settings(tmp_path, fresh_database_url, assess_async_min_bytes=16)
    factories.bind(database)
    try:
        with database.session() as session:
            user = UserFactory(roles=[Role.DATA_MANAGER])
            session.commit()
            _token, secret = AccountsService(session, settings).create_token(
                principal_for(user), "worker"
            )
        headers = {"Authorization": f"Bearer {secret}"}
        with TestClient(create_app(settings, database)) as client:
            job = _upload(client, headers).json()["job"]
            deadline = time.monotonic() + 60
            status = job["status"]
            while status in ("queued", "running") and time.monotonic() < deadline:
                time.sleep(0.1)
                status = client.get(f"/api/v1/jobs/{job['id']}", headers=headers).json()["status"]
            assert status == "succeeded"
    finally:
        factories.unbind()
        database.bind.dispose()  # type: ignore[union-attr]


def test_racing_rule_saves_and_uploads_get_consecutive_numbers(tmp_path, fresh_database_url):
    """Two rule set saves and two version uploads to one dataset, all at once: each gets
    its own next number (the append lock serializes the numbering), none fails."""
    from datadeed.datasets.models import DatasetRuleSet, DatasetVersion
    from datadeed.datasets.services import DatasetService
    from datadeed.ledger.keys import LogKeyring
    from datadeed.ledger.services import LedgerService

    migrations.upgrade(fresh_database_url)
    database = Database.from_url(fresh_database_url)
    settings = make_settings(tmp_path, fresh_database_url)
    keyring = LogKeyring.from_settings(settings)
    factories.bind(database)
    try:
        with database.session() as session:
            actor = principal_for(UserFactory(roles=[Role.DATA_MANAGER]))
            session.commit()
            service = DatasetService(session, settings, LedgerService(session, settings, keyring))
            dataset_id = service.upload_version(actor, [CSV], name="竞争").dataset_id
            service.save_rule_set(actor, dataset_id, "rules: []\n")
        barrier = threading.Barrier(4)

        def save(i: int) -> int:
            with database.session() as session:
                ledger = LedgerService(session, settings, keyring)
                service = DatasetService(session, settings, ledger)
                barrier.wait()
                if i % 2:
                    text = f"# {i}\nrules:\n  - type: not_null\n    column: 城市\n"
                    return service.save_rule_set(actor, dataset_id, text).version_no
                more = CSV + f"{10 + i},丽水,{i}\n".encode()
                return service.upload_version(
                    actor, [more], name="", dataset_id=dataset_id
                ).version_no

        with ThreadPoolExecutor(4) as pool:
            numbers = list(pool.map(save, range(4)))
        assert sorted(numbers[1::2]) == [2, 3] and sorted(numbers[0::2]) == [2, 3]
        with database.session() as session:
            rule_nos = session.scalars(select(DatasetRuleSet.version_no)).all()
            version_nos = session.scalars(select(DatasetVersion.version_no)).all()
            assert sorted(rule_nos) == [1, 2, 3] and sorted(version_nos) == [1, 2, 3]
    finally:
        factories.unbind()
        database.bind.dispose()  # type: ignore[union-attr]
