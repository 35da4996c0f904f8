"""Certificates through the service: issue, every registration on them, bundles."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from datadeed.certificates.errors import (
    CancellationClosed,
    CancellationPending,
    CertificateEncumbered,
    CertificateNotFound,
    NotCertificateHolder,
    TransferPending,
)
from datadeed.certificates.models import CertificateStatus, EventKind, EventState
from datadeed.certificates.numbering import Track, is_valid_registration_number
from datadeed.certificates.services import Correction
from datadeed.errors import InvalidInput, InvalidTransition, NotFound, PermissionDenied
from datadeed.ledger import entries
from datadeed.ledger.verify import verify_receipt
from tests.unit.certificates.world import World, make_world


@pytest.fixture
def world(ledger, settings) -> World:
    return make_world(ledger, settings)


def _keys(world: World) -> list[str]:
    return world.service.ledger.keyring.public_keys(world.service.session)


def test_issue_numbers_signs_and_logs(world):
    first = world.issue()
    second = world.issue("第二个数据集", track=Track.DATA_IP)
    today = first.valid_from
    assert first.number == f"DP{today:%Y%m}3301" + "0000001"
    assert second.number == f"{today:%Y%m}3301" + "0000001"  # own serial per track
    assert is_valid_registration_number(first.registration_no)
    assert first.registration_no != second.registration_no
    assert first.valid_to == today.replace(year=today.year + 3) - dt.timedelta(days=1)
    kind, body = entries.decode_entry(world.service.ledger.entry(first.ledger_index).data)
    assert kind == "certificate/v1"
    assert body["holder"]["uscc"] == world.holder.organization.uscc
    assert body["issuer"]["name"] == "杭州数据交易所"
    assert body["rights"] == ["hold", "use"] and body["status"] == "valid"
    assert [e.kind for e in world.service.history(first)] == [EventKind.ISSUE]


def test_only_registrars_issue(world):
    with pytest.raises(PermissionDenied):
        world.issue(issued_by=world.holder)


def test_bundle_verifies_offline_and_a_one_byte_change_fails(world):
    certificate = world.issue()
    bundle = world.service.bundle(certificate.number)
    assert bundle["format"] == "datadeed-bundle/v1"
    result = verify_receipt(bundle, trusted_keys=_keys(world))
    assert result.ok, result.first_failure
    assert [c.name for c in result.checks][-3:] == ["entry", "certificate_signature", "status"]
    tampered = json.loads(json.dumps(bundle))  # as read from a file: no shared objects
    tampered["certificate"]["holder"]["name"] = bundle["certificate"]["holder"]["name"][:-1] + "X"
    assert verify_receipt(tampered, trusted_keys=_keys(world)).first_failure == (
        "entry: the ledger entry is not this certificate"
    )
    tampered["receipt"]["entry"]["body"] = tampered["certificate"]
    failure = verify_receipt(tampered, trusted_keys=_keys(world)).first_failure
    assert failure is not None and failure.startswith("leaf:")


def test_signature_over_another_certificate_fails(world):
    one, two = world.issue(), world.issue("另一个数据集")
    bundle = world.service.bundle(one.number)
    bundle["signature"] = world.service.bundle(two.number)["signature"]
    failure = verify_receipt(bundle, trusted_keys=_keys(world)).first_failure
    assert failure == "certificate_signature: the signature is over a different certificate"


def test_untrusted_key_fails(world):
    from datadeed.ledger.note import Ed25519Signer

    bundle = world.service.bundle(world.issue().number)
    stranger = Ed25519Signer.generate(world.service.settings.ledger_origin).vkey
    failure = verify_receipt(bundle, trusted_keys=[stranger]).first_failure
    assert failure == "signature: checkpoint is not signed by any trusted key"


def test_transfer_offer_and_accept(world):
    certificate = world.issue()
    offer = world.service.offer_transfer(
        world.p(world.holder), certificate.number, world.other.organization.uscc
    )
    assert offer.state is EventState.PENDING and certificate.pending_transfer_to_id
    with pytest.raises(TransferPending):
        world.service.offer_transfer(
            world.p(world.holder), certificate.number, world.other.organization.uscc
        )
    with pytest.raises(NotFound):  # only the offered organization accepts
        world.service.accept_transfer(world.p(world.holder), certificate.number)
    done = world.service.accept_transfer(world.p(world.other), certificate.number)
    assert done.state is EventState.REGISTERED and done.ledger_index is not None
    assert certificate.holder_id == world.other.organization_id
    assert certificate.edition == 2 and certificate.pending_transfer_to_id is None
    kind, event = entries.decode_entry(world.service.ledger.entry(done.ledger_index).data)
    assert (kind, event["event"], event["actor"]["role"]) == (
        "registration-event/v1",
        "transferred",
        "transferee",
    )
    bundle = world.service.bundle(certificate.number)
    assert bundle["certificate"]["holder"]["uscc"] == world.other.organization.uscc
    assert verify_receipt(bundle, trusted_keys=_keys(world)).ok
    with pytest.raises(NotCertificateHolder):  # the old holder holds it no more
        world.service.renew(world.p(world.holder), certificate.number)


def test_transfer_can_be_declined(world):
    certificate = world.issue()
    world.service.offer_transfer(
        world.p(world.holder), certificate.number, world.other.organization.uscc
    )
    declined = world.service.withdraw_transfer(world.p(world.other), certificate.number)
    assert declined.state is EventState.WITHDRAWN and certificate.pending_transfer_to_id is None
    with pytest.raises(NotFound):
        world.service.withdraw_transfer(world.p(world.other), certificate.number)


def test_bad_transfers(world):
    certificate = world.issue()
    with pytest.raises(InvalidInput):
        world.service.offer_transfer(
            world.p(world.holder), certificate.number, world.holder.organization.uscc
        )
    with pytest.raises(InvalidInput):
        world.service.offer_transfer(
            world.p(world.holder), certificate.number, world.banker.organization.uscc
        )
    with pytest.raises(NotFound):
        world.service.offer_transfer(
            world.p(world.holder), certificate.number, "91330108MA2DX0000X"
        )
    with pytest.raises(NotCertificateHolder):
        world.service.offer_transfer(
            world.p(world.other), certificate.number, world.holder.organization.uscc
        )
    with pytest.raises(PermissionDenied):
        world.service.offer_transfer(
            world.p(world.banker), certificate.number, world.holder.organization.uscc
        )
    with pytest.raises(CertificateNotFound):
        world.service.offer_transfer(world.p(world.holder), "DP2026113301999999", "x")


def test_encumbered_certificate_cannot_be_transferred_or_cancelled(world):
    certificate = world.issue()
    certificate.status = CertificateStatus.ENCUMBERED  # what finance/ does when pledged
    world.service.session.commit()
    with pytest.raises(CertificateEncumbered):
        world.service.offer_transfer(
            world.p(world.holder), certificate.number, world.other.organization.uscc
        )
    with pytest.raises(CertificateEncumbered):
        world.service.request_cancellation(world.p(world.holder), certificate.number, "不再经营")
    # A licence and a renewal are still possible (DESIGN.md: only transfer and cancellation).
    world.service.renew(world.p(world.holder), certificate.number)


def test_licence(world):
    certificate = world.issue()
    ends = certificate.valid_from + dt.timedelta(days=365)
    event = world.service.grant_licence(
        world.p(world.holder), certificate.number, world.other.organization.uscc, ["use"], ends
    )
    assert event.kind is EventKind.LICENCE and event.counterparty_id == world.other.organization_id
    assert event.details == {
        "licence_no": f"{certificate.number}-L01",
        "licence_action": "granted",
        "licensee_uscc": world.other.organization.uscc,
        "rights": "use",
        "starts_on": certificate.valid_from.isoformat(),
        "ends_on": ends.isoformat(),
        "exclusivity": "non_exclusive",
        "exclusive": False,
    }
    assert certificate.edition == 1  # a licence does not change the certificate
    with pytest.raises(InvalidInput):  # a right the certificate does not register
        world.service.grant_licence(
            world.p(world.holder),
            certificate.number,
            world.other.organization.uscc,
            ["operate"],
            ends,
        )
    with pytest.raises(InvalidInput):  # beyond the certificate's validity
        world.service.grant_licence(
            world.p(world.holder),
            certificate.number,
            world.other.organization.uscc,
            ["use"],
            certificate.valid_to + dt.timedelta(days=1),
        )


def test_renewal_change_cancellation(world):
    certificate = world.issue()
    old_to = certificate.valid_to
    world.service.renew(world.p(world.holder), certificate.number)
    assert certificate.valid_to == old_to.replace(year=old_to.year + 3)
    with pytest.raises(InvalidInput):
        world.service.change(world.p(world.holder), certificate.number, "新名称", None, " ")
    world.service.change(world.p(world.holder), certificate.number, "新名称", "描述", "更名")
    assert certificate.object_name == "新名称" and certificate.edition == 3
    request = world.service.request_cancellation(
        world.p(world.holder), certificate.number, "停止经营该数据产品"
    )
    assert request.state is EventState.PENDING and certificate.status is CertificateStatus.VALID
    with pytest.raises(CancellationPending):  # nothing else moves while it waits
        world.service.offer_transfer(
            world.p(world.holder), certificate.number, world.other.organization.uscc
        )
    with pytest.raises(InvalidInput):  # a refusal needs reasons
        world.service.decide_cancellation(world.p(world.officer), certificate.number, approve=False)
    refused = world.service.decide_cancellation(
        world.p(world.officer), certificate.number, approve=False, reasons="存在未了结的许可"
    )
    assert refused.state is EventState.WITHDRAWN and refused.details["decision"]
    with pytest.raises(CancellationClosed):  # already refused
        world.service.decide_cancellation(world.p(world.officer), certificate.number, approve=True)
    world.service.request_cancellation(world.p(world.holder), certificate.number, "停止经营")
    with pytest.raises(PermissionDenied):
        world.service.decide_cancellation(world.p(world.holder), certificate.number, approve=True)
    done = world.service.decide_cancellation(
        world.p(world.officer), certificate.number, approve=True
    )
    assert done.state is EventState.REGISTERED and done.ledger_index is not None
    assert certificate.status is CertificateStatus.CANCELLED
    with pytest.raises(InvalidTransition):
        world.service.change(world.p(world.holder), certificate.number, "再改", None, "x")
    kinds = [e.kind for e in world.service.history(certificate)]
    assert (
        kinds
        == [EventKind.ISSUE, EventKind.RENEWAL, EventKind.CHANGE] + [EventKind.CANCELLATION] * 2
    )
    failure = verify_receipt(world.service.bundle(certificate.number), trusted_keys=_keys(world))
    assert failure.first_failure == f"status: certificate {certificate.number} is cancelled"


def test_registrar_corrects_and_revokes(world):
    certificate = world.issue()
    officer = world.p(world.officer)
    with pytest.raises(PermissionDenied):
        world.service.revoke(world.p(world.holder), certificate.number, "x")
    with pytest.raises(InvalidInput):
        world.service.correct(officer, certificate.number, Correction(), "无")
    world.service.correct(officer, certificate.number, Correction(rights=["hold"]), "权利录入错误")
    assert certificate.rights == ["hold"]
    world.service.offer_transfer(
        world.p(world.holder), certificate.number, world.other.organization.uscc
    )
    world.service.revoke(officer, certificate.number, "异议成立，撤销登记")
    assert certificate.status is CertificateStatus.REVOKED
    assert certificate.pending_transfer_to_id is None  # the offer lapsed with it
    with pytest.raises(InvalidTransition):
        world.service.revoke(officer, certificate.number, "again")
    history = world.service.history(certificate)
    assert [e.kind for e in history][-1] is EventKind.REVOCATION
    assert history[-1].reasons == "异议成立，撤销登记"


def test_pdf_is_chinese_with_the_number_and_a_qr_code(world, tmp_path):
    """Text extracted with poppler (a system dependency, see scripts/ensure-system-deps.sh);
    a PNG of the page goes to test-artifacts/ to look at."""
    import subprocess

    from tests.conftest import ARTIFACTS

    certificate = world.issue()
    number, pdf = world.service.pdf(certificate.number)
    assert number == certificate.number and pdf.startswith(b"%PDF")
    path = tmp_path / "certificate.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "数据产权登记证书" in text.replace(" ", "")
    assert certificate.number in text
    assert world.holder.organization.name in text
    assert "数据资源持有权" in text and "杭州数据交易所" in text
    assert "/verify/certificate?" in text  # printed under the QR code it encodes
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True).stdout
    assert "CJK" in fonts and all(" yes " in line for line in fonts.splitlines()[2:])
    ARTIFACTS.mkdir(exist_ok=True)
    png = ["pdftoppm", "-png", "-r", "60", "-singlefile", str(path)]
    subprocess.run([*png, str(ARTIFACTS / "certificate-pdf")], check=True)


def _application(world, tracks):  # type: ignore[no-untyped-def]
    from datadeed.registry.models import RegistrationApplication

    app = RegistrationApplication(
        application_no="DJ20261129000007",
        organization_id=world.holder.organization_id,
        title="城市停车数据产品",
        tracks=tracks,
        object_type="data_product",
        rights_claimed=[
            {"right": "operate", "evidence": ["r1"]},
            {"right": "hold", "evidence": []},
        ],
        source_category="public_collection",
        description="2025 年杭州市停车场进出记录",
        fingerprint_sha256="c" * 64,
        content_fingerprint="d" * 64,
    )
    world.service.session.add(app)
    world.service.session.flush()
    return app


def test_issue_for_application_one_certificate_per_track(world):
    app = _application(world, ["data_ip", "data_property"])
    first = world.service.issue_for_application(app, issued_by=world.p(world.officer))
    world.service.session.commit()
    assert app.certificate_number == first.number
    issued = world.service.list_all()
    assert sorted(c.track.value for c in issued) == ["data_ip", "data_property"]
    for certificate in issued:
        assert certificate.case_no == "DJ20261129000007"
        assert certificate.rights == ["hold", "operate"]
        assert certificate.object_type == "data_product"
        assert certificate.registration_no[4] == "2"  # public collection
        assert certificate.holder_id == world.holder.organization_id


def test_issue_for_application_without_fingerprint_is_refused(world):
    app = _application(world, ["data_property"])
    app.fingerprint_sha256 = None
    with pytest.raises(InvalidInput):
        world.service.issue_for_application(app, issued_by=world.p(world.officer))


def test_pledge_blocks_transfer_until_the_bank_releases_it(world):
    certificate = world.issue()
    bank = world.p(world.banker)
    with pytest.raises(PermissionDenied):
        world.service.encumber(world.p(world.holder), certificate.number, pledge_ref="P-1")
    pledge = world.service.encumber(bank, certificate.number, pledge_ref="ZY2026-001")
    assert certificate.status is CertificateStatus.ENCUMBERED and pledge.ledger_index
    _kind, event = entries.decode_entry(world.service.ledger.entry(pledge.ledger_index).data)
    assert (event["event"], event["actor"]["role"]) == ("pledged", "pledgee")
    assert world.service.bundle(certificate.number)["certificate"]["status"] == "encumbered"
    with pytest.raises(CertificateEncumbered):
        world.service.offer_transfer(
            world.p(world.holder), certificate.number, world.other.organization.uscc
        )
    with pytest.raises(CertificateEncumbered):  # pledged once only
        world.service.encumber(bank, certificate.number, pledge_ref="ZY2026-002")
    world.service.release(bank, certificate.number, pledge_ref="ZY2026-001")
    assert certificate.status is CertificateStatus.VALID
    with pytest.raises(NotFound):  # nothing pledged any more
        world.service.release(bank, certificate.number, pledge_ref="ZY2026-001")
    world.service.offer_transfer(
        world.p(world.holder), certificate.number, world.other.organization.uscc
    )
