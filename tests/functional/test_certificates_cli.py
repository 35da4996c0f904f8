"""Certificates through the CLI (list, bundle, offline verify) and racing registrations on
real threads (PostgreSQL when DATADEED_TEST_DATABASE_URL is set)."""

from __future__ import annotations

import datetime as dt
import json
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from datadeed import migrations
from datadeed.accounts.principal import Principal
from datadeed.accounts.roles import OrgKind, Role
from datadeed.accounts.services import principal_for
from datadeed.certificates.numbering import Track
from datadeed.certificates.services import CertificateService, IssueInput
from datadeed.db import Database
from datadeed.errors import Conflict
from datadeed.ledger.keys import LogKeyring
from datadeed.ledger.services import LedgerService
from tests import factories
from tests.conftest import make_settings
from tests.factories import OrganizationFactory, UserFactory
from tests.functional.helpers import one_error_line, run


class Seeded:
    """A migrated fresh database with a registrar, two enterprises and one certificate."""

    def __init__(self, home: Path, url: str) -> None:
        migrations.upgrade(url)
        self.database = Database.from_url(url)
        self.settings = make_settings(home, url)
        factories.bind(self.database)
        registrar = OrganizationFactory(kind=OrgKind.REGISTRAR, region_code="330108")
        self.holder = UserFactory(roles=[Role.DATA_MANAGER])
        self.other = UserFactory(roles=[Role.DATA_MANAGER])
        self.officer = UserFactory(organization=registrar, roles=[Role.REGISTRATION_OFFICER])
        factories.unbind()
        with self.service() as service:
            self.number = service.issue(
                IssueInput(
                    Track.DATA_IP,
                    self.holder.organization_id,
                    ["hold", "operate"],
                    "城市交通出行数据集",
                    "data_product",
                    "a" * 64,
                    "b" * 64,
                ),
                issued_by=Principal.system(),
            ).number

    def service(self) -> Any:
        database, settings = self.database, self.settings

        class _Ctx:
            def __enter__(self) -> CertificateService:
                self.session = database.sessions()
                ledger = LedgerService(self.session, settings, LogKeyring.from_settings(settings))
                return CertificateService(self.session, ledger, settings)

            def __exit__(self, *exc: object) -> None:
                self.session.close()

        return _Ctx()

    def close(self) -> None:
        self.database.bind.dispose()  # type: ignore[union-attr]


@pytest.fixture
def seeded(tmp_path, fresh_database_url):  # type: ignore[no-untyped-def]
    world = Seeded(tmp_path / "home", fresh_database_url)
    yield world
    world.close()


def test_list_bundle_and_verify(seeded, cli_env, tmp_path):
    listed = run(cli_env, "certificate", "list", "--json")
    assert listed.returncode == 0, listed.stderr
    rows = json.loads(listed.stdout)
    assert [(r["number"], r["holder"], r["status"]) for r in rows] == [
        (seeded.number, seeded.holder.organization.name, "valid")
    ]
    bundle = tmp_path / "cert.bundle.json"
    made = run(cli_env, "certificate", "bundle", seeded.number, "--out", str(bundle))
    assert made.returncode == 0, made.stderr
    keys = tmp_path / "ledger.vkey"  # pinned out of band
    with seeded.service() as service:
        keys.write_text("\n".join(service.ledger.keyring.public_keys(service.session)) + "\n")
    ok = run(cli_env, "verify", str(bundle), "--pubkey", str(keys))
    assert ok.returncode == 0, ok.stderr
    assert "certificate_signature" in ok.stdout and "status" in ok.stdout
    # One byte changed inside the holder's name: verification fails, with one line.
    raw = bundle.read_bytes()
    name = seeded.holder.organization.name.encode()
    at = raw.index(name) + len(name) - 1
    bundle.write_bytes(raw[:at] + bytes([raw[at] ^ 1]) + raw[at + 1 :])
    line = one_error_line(
        run(cli_env, "verify", str(bundle), "--pubkey", str(keys)), "verification_failed"
    )
    assert "entry: the ledger entry is not this certificate" in line
    missing = run(cli_env, "certificate", "bundle", "DP2026113301999999", "--out", str(bundle))
    one_error_line(missing, "certificate_not_found")


def test_licences_and_encumbrances_on_the_command_line(seeded, cli_env):
    holder = principal_for_user(seeded, seeded.holder)
    with seeded.service() as service:
        ends = service.get(seeded.number).valid_from + dt.timedelta(days=30)
        uscc = seeded.other.organization.uscc
        service.grant_licence(
            holder, seeded.number, uscc, ["operate"], ends, exclusivity="sole", scope="保密"
        )
    listed = run(cli_env, "certificate", "licences", seeded.number, "--json")
    assert listed.returncode == 0, listed.stderr
    (row,) = json.loads(listed.stdout)
    assert (row["licence_no"], row["licensee_uscc"], row["exclusivity"], row["status"]) == (
        f"{seeded.number}-L01",
        uscc,
        "sole",
        "active",
    )
    assert "scope" not in row and row["ends_on"] == ends.isoformat()
    missing = run(cli_env, "certificate", "encumbrances", "DP2026113301999999")
    one_error_line(missing, "certificate_not_found")


def _race(seeded: Seeded, *moves: Callable[[CertificateService], Any]) -> list[str]:
    barrier = threading.Barrier(len(moves))

    def attempt(move: Callable[[CertificateService], Any]) -> str:
        with seeded.service() as service:
            barrier.wait()
            try:
                move(service)
            except Conflict as error:
                return error.code
            return "won"

    with ThreadPoolExecutor(len(moves)) as pool:
        return sorted(pool.map(attempt, moves))


def test_two_transfers_at_once(seeded):
    holder = principal_for_user(seeded, seeded.holder)
    targets = [seeded.other.organization.uscc, seeded.other.organization.uscc]
    outcomes = _race(
        seeded, *(lambda s, t=t: s.offer_transfer(holder, seeded.number, t) for t in targets)
    )
    assert outcomes[-1] == "won" and outcomes[:-1] in (
        ["transfer_pending"],
        ["certificate_changed"],
    )


def test_transfer_racing_a_cancellation(seeded):
    holder = principal_for_user(seeded, seeded.holder)
    outcomes = _race(
        seeded,
        lambda s: s.offer_transfer(holder, seeded.number, seeded.other.organization.uscc),
        lambda s: s.request_cancellation(holder, seeded.number, "停止经营"),
    )
    assert outcomes.count("won") == 1
    assert set(outcomes) - {"won"} <= {
        "cancellation_pending",
        "transfer_pending",
        "invalid_transition",
        "certificate_changed",
    }
    with seeded.service() as service:
        certificate = service.get(seeded.number)
        waiting = {e.kind.value for e in service.history(certificate) if e.state.value == "pending"}
        assert waiting in ({"transfer"}, {"cancellation"})
        assert (certificate.pending_transfer_to_id is not None) == (waiting == {"transfer"})


def test_two_exclusive_licences_of_one_right_at_once(seeded):
    holder = principal_for_user(seeded, seeded.holder)
    with seeded.service() as service:
        ends = service.get(seeded.number).valid_from + dt.timedelta(days=90)
    uscc = seeded.other.organization.uscc
    outcomes = _race(
        seeded,
        *(
            lambda s, k=k: s.grant_licence(
                holder, seeded.number, uscc, ["operate"], ends, exclusivity=k
            )
            for k in ("exclusive", "sole")
        ),
    )
    assert outcomes[-1] == "won" and outcomes[:-1] in (
        ["licence_conflict"],
        ["certificate_changed"],
    )
    with seeded.service() as service:
        (licence,) = service.licences(service.get(seeded.number))
        assert licence.excludes_others and licence.rights == ["operate"]


def test_withdrawal_racing_the_registrars_decision(seeded):
    holder = principal_for_user(seeded, seeded.holder)
    officer = principal_for_user(seeded, seeded.officer)
    with seeded.service() as service:
        service.request_cancellation(holder, seeded.number, "停止经营")
    outcomes = _race(
        seeded,
        lambda s: s.withdraw_cancellation(holder, seeded.number),
        lambda s: s.decide_cancellation(officer, seeded.number, approve=True),
    )
    assert outcomes.count("won") == 1
    assert set(outcomes) - {"won"} <= {"cancellation_closed", "certificate_changed"}
    with seeded.service() as service:
        certificate = service.get(seeded.number)
        (request,) = [e for e in service.history(certificate) if e.kind.value == "cancellation"]
        cancelled = certificate.status.value == "cancelled"
        assert request.state.value == ("registered" if cancelled else "withdrawn")
        assert request.details["cancellation"] == ("approved" if cancelled else "withdrawn")
        assert request.ledger_index is not None


def principal_for_user(seeded: Seeded, user: Any) -> Principal:
    with seeded.database.session() as session:
        return principal_for(session.merge(user))
