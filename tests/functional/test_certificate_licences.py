"""Licences as records with a term (许可登记) and the holder withdrawing a cancellation
request, through the service."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest

from datadeed.accounts.roles import Role
from datadeed.certificates.errors import (
    CancellationClosed,
    LicenceConflict,
    LicenceNotFound,
    NotCertificateHolder,
    RightLicensed,
)
from datadeed.certificates.models import (
    CertificateStatus,
    EventKind,
    EventState,
    Exclusivity,
    LicenceState,
)
from datadeed.certificates.schemas import active_counts, encumbrances_out, licence_out
from datadeed.certificates.services import CertificateService, Correction
from datadeed.db import utcnow
from datadeed.errors import InvalidInput, InvalidTransition, NotFound, PermissionDenied
from datadeed.ledger import entries
from datadeed.workdays import shanghai_date
from tests.factories import UserFactory
from tests.unit.certificates.world import World, make_world


@pytest.fixture
def world(ledger, settings) -> World:
    return make_world(ledger, settings)


def _entry(world: World, index: int | None) -> dict:  # type: ignore[type-arg]
    assert index is not None
    return entries.decode_entry(world.service.ledger.entry(index).data)[1]


def _grant(world: World, number: str, rights: list[str], start_days: int, days: int, **kw):  # type: ignore[no-untyped-def]
    today = shanghai_date(utcnow())
    return world.service.grant_licence(
        world.p(kw.pop("by", world.holder)),
        number,
        kw.pop("to", world.other).organization.uscc,
        rights,
        today + dt.timedelta(days=start_days + days),
        starts_on=today + dt.timedelta(days=start_days) if start_days else None,
        **kw,
    )


def test_a_licence_is_a_record_with_its_term_and_a_public_ledger_entry(world):
    certificate = world.issue()
    event = _grant(
        world, certificate.number, ["use"], 0, 180, exclusivity="sole", scope="仅限风控模型训练"
    )
    (licence,) = world.service.licences(certificate)
    assert licence.licence_no == f"{certificate.number}-L01" == event.details["licence_no"]
    assert (licence.licensor_id, licence.licensee_id) == (
        world.holder.organization_id,
        world.other.organization_id,
    )
    assert licence.rights == ["use"] and licence.exclusivity is Exclusivity.SOLE
    assert (
        licence.starts_on == shanghai_date(utcnow())
        and licence.status_on(licence.starts_on) == "active"
    )
    assert licence.ledger_index == event.ledger_index and licence.event_id == event.id
    body = _entry(world, licence.ledger_index)
    assert body["event"] == "licensed" and body["details"]["licence_action"] == "granted"
    assert body["details"]["exclusivity"] == "sole" and body["details"]["exclusive"] is False
    digest = hashlib.sha256("仅限风控模型训练".encode()).hexdigest()
    assert body["details"]["scope_sha256"] == digest
    assert "仅限风控模型训练" not in str(body)  # the scope itself stays confidential
    public = licence_out(licence)
    assert "scope" not in public and public["status"] == "active"
    assert licence_out(licence, confidential=True)["scope"] == "仅限风控模型训练"
    assert active_counts(world.service.licences(certificate), licence.starts_on) == {
        "active": 1,
        "exclusive": 0,
        "sole": 1,
        "non_exclusive": 0,
    }
    assert certificate.edition == 1  # a licence does not make a new edition
    assert [e.kind for e in world.service.history(certificate)] == [
        EventKind.ISSUE,
        EventKind.LICENCE,
    ]


def test_bad_licences(world):
    certificate = world.issue()
    today = shanghai_date(utcnow())
    n = certificate.number
    for rights, start, end in (
        (["operate"], None, today + dt.timedelta(days=30)),  # not a registered right
        ([], None, today + dt.timedelta(days=30)),
        (["use"], None, certificate.valid_to + dt.timedelta(days=1)),  # past the validity
        (["use"], today - dt.timedelta(days=1), today + dt.timedelta(days=30)),  # back-dated
        (["use"], today + dt.timedelta(days=30), today + dt.timedelta(days=30)),  # empty term
        (["use"], None, today),
    ):
        with pytest.raises(InvalidInput):
            world.service.grant_licence(
                world.p(world.holder),
                n,
                world.other.organization.uscc,
                rights,
                end,
                starts_on=start,
            )
    end = today + dt.timedelta(days=30)
    with pytest.raises(InvalidInput):  # to itself
        world.service.grant_licence(
            world.p(world.holder), n, world.holder.organization.uscc, ["use"], end
        )
    with pytest.raises(InvalidInput):
        world.service.grant_licence(
            world.p(world.holder),
            n,
            world.other.organization.uscc,
            ["use"],
            end,
            exclusivity="most",
        )
    with pytest.raises(InvalidInput):
        world.service.grant_licence(
            world.p(world.holder), n, world.other.organization.uscc, ["use"], end, scope="x" * 2001
        )
    with pytest.raises(NotCertificateHolder):
        world.service.grant_licence(
            world.p(world.other), n, world.holder.organization.uscc, ["use"], end
        )
    with pytest.raises(PermissionDenied):
        world.service.grant_licence(
            world.p(world.officer), n, world.other.organization.uscc, ["use"], end
        )
    with pytest.raises(NotFound):
        world.service.grant_licence(world.p(world.holder), n, "91330108MA2H0XY81F", ["use"], end)
    assert world.service.licences(certificate) == []


def test_an_exclusive_licence_admits_no_other_licence_of_its_right_over_its_term(world):
    certificate = world.issue()
    n = certificate.number
    third = UserFactory(roles=[Role.DATA_MANAGER])
    _grant(world, n, ["use"], 0, 100, exclusivity="exclusive")
    for kind in ("non_exclusive", "sole", "exclusive"):
        with pytest.raises(LicenceConflict) as caught:
            _grant(world, n, ["use", "hold"], 50, 100, exclusivity=kind, to=third)
        assert caught.value.code == "licence_conflict" and caught.value.status == 409
        assert caught.value.extra["conflicting_licence"] == f"{n}-L01"
    _grant(world, n, ["hold"], 50, 100, to=third)  # another right: no conflict
    _grant(world, n, ["use"], 101, 50, to=third)  # after the exclusive term: no conflict
    with pytest.raises(LicenceConflict):  # an exclusive licence over a non-exclusive one
        _grant(world, n, ["hold"], 60, 10, exclusivity="exclusive", to=third)
    world.service.revoke_licence(world.p(world.holder), n, f"{n}-L01", "被许可方违约")
    _grant(world, n, ["use"], 0, 30, exclusivity="sole", to=third)  # the right is free again
    assert [lic.licence_no[-3:] for lic in world.service.licences(certificate)] == [
        "L01",
        "L02",
        "L03",
        "L04",
    ]


def test_status_is_computed_from_the_dates(world, ledger, settings):
    certificate = world.issue()
    _grant(world, certificate.number, ["use"], 10, 30)
    (licence,) = world.service.licences(certificate)
    today = shanghai_date(utcnow())
    assert licence.status_on(today) == "granted"
    assert licence.status_on(today + dt.timedelta(days=10)) == "active"
    assert licence.status_on(today + dt.timedelta(days=40)) == "active"
    assert licence.status_on(today + dt.timedelta(days=41)) == "expired"
    later = CertificateService(
        ledger.session, ledger, settings, now=lambda: utcnow() + dt.timedelta(days=60)
    )
    with pytest.raises(InvalidTransition):  # an expired licence cannot be ended early
        later.revoke_licence(world.p(world.holder), certificate.number, licence.licence_no, "x")
    assert later.encumbrances(certificate.number).exclusive_licences == []
    world.service.revoke(world.p(world.officer), certificate.number, "撤销")
    assert licence.status_on(today + dt.timedelta(days=20)) == "lapsed"


def test_the_holder_ends_a_licence_early(world):
    certificate = world.issue()
    n = certificate.number
    _grant(world, n, ["use"], 0, 60, exclusivity="exclusive")
    licence_no = f"{n}-L01"
    with pytest.raises(NotCertificateHolder):  # the licensee cannot end it
        world.service.revoke_licence(world.p(world.other), n, licence_no, "x")
    with pytest.raises(LicenceNotFound):
        world.service.revoke_licence(world.p(world.holder), n, f"{n}-L09", "x")
    with pytest.raises(InvalidInput):
        world.service.revoke_licence(world.p(world.holder), n, licence_no, " ")
    event = world.service.revoke_licence(
        world.p(world.holder), n, licence_no.lower(), "被许可方违约"
    )
    (licence,) = world.service.licences(certificate)
    assert (
        licence.state is LicenceState.REVOKED_EARLY and licence.revocation_reasons == "被许可方违约"
    )
    assert licence.status_on(shanghai_date(utcnow())) == "revoked_early"
    assert licence.revocation_ledger_index == event.ledger_index
    body = _entry(world, event.ledger_index)
    assert body["event"] == "licensed" and body["reasons"] == "被许可方违约"
    assert body["details"]["licence_action"] == "revoked_early"
    assert body["details"]["licence_no"] == licence_no
    with pytest.raises(InvalidTransition):
        world.service.revoke_licence(world.p(world.holder), n, licence_no, "再次")


def test_licences_survive_a_transfer_and_bind_the_new_holder(world):
    certificate = world.issue()
    n = certificate.number
    licensee = UserFactory(roles=[Role.DATA_MANAGER])
    _grant(world, n, ["use"], 0, 60, exclusivity="exclusive", to=licensee)
    world.service.offer_transfer(world.p(world.holder), n, world.other.organization.uscc)
    world.service.accept_transfer(world.p(world.other), n)
    (licence,) = world.service.licences(certificate)
    assert licence.licensor_id == world.holder.organization_id  # who granted it
    assert certificate.holder_id == world.other.organization_id
    encumbrances = world.service.encumbrances(n)
    assert [lic.licence_no for lic in encumbrances.exclusive_licences] == [licence.licence_no]
    with pytest.raises(LicenceConflict):  # the new holder is bound by it
        _grant(world, n, ["use"], 0, 10, by=world.other, to=world.holder)
    with pytest.raises(NotCertificateHolder):  # the old holder no longer acts
        world.service.revoke_licence(world.p(world.holder), n, licence.licence_no, "x")
    world.service.revoke_licence(world.p(world.other), n, licence.licence_no, "新持有人终止许可")
    assert world.service.encumbrances(n).exclusive_licences == []


def test_who_sees_which_licences(world):
    certificate = world.issue()
    licensee = UserFactory(roles=[Role.DATA_MANAGER])
    _grant(world, certificate.number, ["use"], 0, 60, to=licensee, scope="保密范围")
    (licence,) = world.service.licences(certificate)
    mine = world.service.licences_for(world.p(licensee))
    assert [lic.licence_no for lic in mine.granted_to_us] == [licence.licence_no]
    assert mine.granted_by_us == []
    given = world.service.licences_for(world.p(world.holder))
    assert given.granted_to_us == [] and [lic.id for lic in given.granted_by_us] == [licence.id]
    stranger = world.service.licences_for(world.p(world.other))
    assert stranger.granted_to_us == [] and stranger.granted_by_us == []
    officer = world.service.licences_for(world.p(world.officer))
    assert licence in officer.granted_by_us
    assert world.service.may_see_scope(world.p(licensee), licence)
    assert world.service.may_see_scope(world.p(world.holder), licence)
    assert world.service.may_see_scope(world.p(world.officer), licence)
    assert not world.service.may_see_scope(world.p(world.other), licence)
    assert not world.service.may_see_scope(None, licence)


def test_encumbrances_in_one_call(world):
    certificate = world.issue()
    n = certificate.number
    out = encumbrances_out(world.service.encumbrances(n))
    assert out["encumbered"] is False and out["pledge"] is None and out["exclusive_licences"] == []
    world.service.encumber(world.p(world.banker), n, pledge_ref="ZY-2026-001")
    _grant(world, n, ["hold"], 0, 30, exclusivity="sole")
    _grant(world, n, ["use"], 0, 30)  # non-exclusive: not an encumbrance
    out = encumbrances_out(world.service.encumbrances(n))
    assert out["encumbered"] is True and out["status"] == "encumbered"
    assert out["pledge"]["pledgee"]["uscc"] == world.banker.organization.uscc
    assert out["pledge"]["pledge_ref"] == "ZY-2026-001"
    assert [(lic["rights"], lic["exclusivity"]) for lic in out["exclusive_licences"]] == [
        (["hold"], "sole")
    ]
    assert "scope" not in out["exclusive_licences"][0]


def test_the_holder_withdraws_a_cancellation_request(world):
    certificate = world.issue()
    n = certificate.number
    with pytest.raises(NotFound):  # nothing was requested
        world.service.withdraw_cancellation(world.p(world.holder), n)
    request = world.service.request_cancellation(world.p(world.holder), n, "停止经营")
    with pytest.raises(NotCertificateHolder):
        world.service.withdraw_cancellation(world.p(world.other), n)
    with pytest.raises(PermissionDenied):
        world.service.withdraw_cancellation(world.p(world.officer), n)
    withdrawn = world.service.withdraw_cancellation(world.p(world.holder), n)
    assert withdrawn.id == request.id and withdrawn.state is EventState.WITHDRAWN
    assert certificate.status is CertificateStatus.VALID
    body = _entry(world, withdrawn.ledger_index)
    assert body["event"] == "cancelled" and body["details"]["cancellation"] == "withdrawn"
    assert body["actor"]["role"] == "holder"
    with pytest.raises(CancellationClosed) as caught:  # the registrar comes too late
        world.service.decide_cancellation(world.p(world.officer), n, approve=True)
    assert caught.value.status == 409 and caught.value.extra["outcome"] == "withdrawn"
    with pytest.raises(CancellationClosed):
        world.service.withdraw_cancellation(world.p(world.holder), n)
    # A new request, refused: withdrawing it is too late.
    world.service.request_cancellation(world.p(world.holder), n, "再次申请")
    world.service.decide_cancellation(world.p(world.officer), n, approve=False, reasons="存在许可")
    with pytest.raises(CancellationClosed) as caught:
        world.service.withdraw_cancellation(world.p(world.holder), n)
    assert caught.value.extra["outcome"] == "refused"
    world.service.request_cancellation(world.p(world.holder), n, "第三次")
    approved = world.service.decide_cancellation(world.p(world.officer), n, approve=True)
    assert _entry(world, approved.ledger_index)["details"]["cancellation"] == "approved"
    with pytest.raises(CancellationClosed) as caught:
        world.service.withdraw_cancellation(world.p(world.holder), n)
    assert caught.value.extra["outcome"] == "approved"


def test_a_correction_cannot_drop_a_licensed_right(world):
    certificate = world.issue()
    n = certificate.number
    _grant(world, n, ["use"], 0, 30)
    officer = world.p(world.officer)
    with pytest.raises(RightLicensed) as caught:
        world.service.correct(officer, n, Correction(rights=["hold"]), "权利登记有误")
    assert caught.value.status == 409 and caught.value.extra["right"] == "use"
    world.service.correct(officer, n, Correction(rights=["use"]), "持有权登记有误")
    assert certificate.rights == ["use"]
