"""Demo seeding: a member list with personal information, and a sensitivity scan of
every demo dataset's latest version not scanned yet (once; a second run adds nothing). Grades of the
datasets without personal information are confirmed; the member list's proposed grade
is left for a reviewer, so the review queue has something in it."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from datadeed import identifiers
from datadeed.accounts.models import User
from datadeed.accounts.principal import Principal
from datadeed.accounts.services import principal_for
from datadeed.config import Settings
from datadeed.datasets.models import Dataset, DatasetVersion
from datadeed.datasets.services import DatasetService
from datadeed.ledger.keys import LogKeyring
from datadeed.ledger.services import LedgerService
from datadeed.sensitive.gates import latest_scan
from datadeed.sensitive.services import SensitiveService

OWNER = "corpus.admin"
NAME = "会员信息样例"
_NAMES = ["王伟", "李娜", "张敏", "刘洋", "陈静", "杨磊", "赵丽", "黄强", "周杰", "吴芳"]


def _members() -> bytes:
    lines = ["会员编号,姓名,身份证号,手机号,城市,注册日期"]
    for i, name in enumerate(_NAMES * 3):
        body = f"330106{1970 + i}0{1 + i % 9}1{i % 10}{100 + i}"
        resident = body + identifiers.resident_id_check_char(body)
        lines.append(f"M{1000 + i},{name},{resident},139{i:08d},杭州,2026-0{1 + i % 9}-15")
    return ("\n".join(lines) + "\n").encode()


def seed_sensitivity(session: Session, settings: Settings) -> None:
    """Scan the demo datasets once; confirm the grades without personal information."""
    if session.scalar(select(Dataset.id).where(Dataset.name == NAME)) is not None:
        return
    owner = session.scalar(select(User).where(User.username == OWNER))
    if owner is None:
        return
    ledger = LedgerService(session, settings, LogKeyring.from_settings(settings))
    DatasetService(session, settings, ledger).upload_version(
        principal_for(owner), [_members()], name=NAME, filename=f"{NAME}.csv"
    )
    service = SensitiveService(session, settings, ledger)
    system = Principal.system()
    for dataset in session.scalars(select(Dataset).order_by(Dataset.id)).all():
        latest: DatasetVersion = dataset.versions[-1]
        if latest_scan(session, latest.id) is not None:
            continue  # another seeder scanned it already
        result = service.scan_version(latest.id, system)
        if not result.has_pi:
            service.review_latest(system, dataset.id, latest.version_no, "confirm")
