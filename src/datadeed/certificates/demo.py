"""Demo certificates in the states the registry's demo cases do not reach: one transferred
to another enterprise (its earlier licence binds the new holder, who grants an exclusive
one), one revoked by the registrar, and one issued 200 days ago with an expired licence and
an exclusive licence in force. Idempotent."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from datadeed.accounts.models import User
from datadeed.accounts.principal import Principal
from datadeed.accounts.services import principal_for
from datadeed.certificates.models import Certificate
from datadeed.certificates.numbering import Track
from datadeed.certificates.services import CertificateService, IssueInput
from datadeed.config import Settings
from datadeed.datasets.models import Dataset, DatasetVersion
from datadeed.db import utcnow
from datadeed.ledger.keys import LogKeyring
from datadeed.ledger.services import LedgerService

CASE_PREFIX = "DEMO-CERT-"


def seed_certificate_states(session: Session, settings: Settings) -> None:
    """Issue two certificates over the logistics dataset; transfer one, revoke the other."""
    if session.scalar(select(Certificate.id).where(Certificate.case_no.like(f"{CASE_PREFIX}%"))):
        return
    version = _latest_version(session, "干线运输时效统计")
    if version is None:
        return
    ledger = LedgerService(session, settings, LogKeyring.from_settings(settings))
    service = CertificateService(session, ledger, settings)
    officer, seller, buyer = (_principal(session, u) for u in _USERS)
    transferred = service.issue(_input(version, Track.DATA_PROPERTY, seller, 1), issued_by=officer)
    licence_end = transferred.valid_from + dt.timedelta(days=365)
    service.grant_licence(
        seller, transferred.number, _uscc(session, "corpus.admin"), ["use"], licence_end
    )
    service.offer_transfer(seller, transferred.number, _uscc(session, _USERS[2]))
    service.accept_transfer(buyer, transferred.number)
    service.grant_licence(
        buyer,
        transferred.number,
        _uscc(session, _USERS[1]),
        ["operate"],
        transferred.valid_from + dt.timedelta(days=180),
        exclusivity="exclusive",
        scope="仅限长三角区域干线物流时效产品的对外经营",
    )
    revoked = service.issue(_input(version, Track.DATA_IP, seller, 2), issued_by=officer)
    service.revoke(officer, revoked.number, "异议成立：数据来源授权材料不足，撤销登记")
    _seed_licensed(session, settings, ledger, version, (officer, seller))


def _seed_licensed(
    session: Session,
    settings: Settings,
    ledger: LedgerService,
    version: DatasetVersion,
    actors: tuple[Principal, Principal],
) -> None:
    """A data-IP certificate issued 200 days ago: a licence that ran out 100 days ago (shown
    as expired, by date) and a sole licence of the operating right in force today."""
    officer, seller = actors
    past = CertificateService(
        session, ledger, settings, now=lambda: utcnow() - dt.timedelta(days=200)
    )
    certificate = past.issue(_input(version, Track.DATA_IP, seller, 3), issued_by=officer)
    corpus = _uscc(session, "corpus.admin")
    past.grant_licence(
        seller,
        certificate.number,
        corpus,
        ["use"],
        certificate.valid_from + dt.timedelta(days=100),
        scope="语料清洗试点，限内部模型训练",
    )
    service = CertificateService(session, ledger, settings)
    service.grant_licence(
        seller,
        certificate.number,
        corpus,
        ["operate"],
        certificate.valid_from + dt.timedelta(days=565),
        exclusivity="sole",
        scope="数据产品在数据交易所挂牌经营",
    )


_USERS = ("registrar.lead", "logistics.admin", "health.admin")


def _principal(session: Session, username: str) -> Principal:
    return principal_for(session.scalars(select(User).where(User.username == username)).one())


def _uscc(session: Session, username: str) -> str:
    return session.scalars(select(User).where(User.username == username)).one().organization.uscc


def _latest_version(session: Session, name: str) -> DatasetVersion | None:
    query = (
        select(DatasetVersion)
        .join(Dataset)
        .where(Dataset.name == name)
        .order_by(DatasetVersion.id.desc())
        .limit(1)
    )
    return session.scalars(query).first()


def _input(version: DatasetVersion, track: Track, holder: Principal, n: int) -> IssueInput:
    assert holder.organization_id is not None
    return IssueInput(
        track=track,
        holder_id=holder.organization_id,
        rights=["hold", "use", "operate"],
        object_name=version.dataset.name,
        object_type="data_product",
        sha256=version.sha256,
        content_fingerprint=version.content_fingerprint,
        dataset_version_id=version.id,
        case_no=f"{CASE_PREFIX}{n}",
        source_category="self_produced",
    )
