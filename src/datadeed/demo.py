"""The demo world: a platform operator, a registrar, an appraiser, a bank, a regulator and
three enterprises in Binjiang, each with users. Seeding is idempotent: organizations and
users that already exist are left as they are. Later capabilities add their own seeds.

All names are fictional; the unified social credit codes carry valid check characters
and the Binjiang district division code 330108.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from datadeed.accounts.models import Organization, User
from datadeed.accounts.principal import Principal
from datadeed.accounts.roles import MerchantTier, OrgKind, Role
from datadeed.accounts.schemas import OrganizationCreate, UserCreate
from datadeed.accounts.services import AccountsService, principal_for
from datadeed.certificates.demo import seed_certificate_states
from datadeed.config import Settings
from datadeed.datasets.demo import seed_quality_demo
from datadeed.datasets.models import Dataset
from datadeed.datasets.services import DatasetService
from datadeed.db import Database
from datadeed.evidence.models import EvidenceRecord
from datadeed.evidence.services import EvidenceInput, EvidenceService
from datadeed.identifiers import make_uscc
from datadeed.ledger.keys import LogKeyring
from datadeed.ledger.services import LedgerService
from datadeed.registry.demo import seed_registry
from datadeed.sensitive.demo import seed_sensitivity
from datadeed.valuation.demo import seed_valuations

DEMO_PASSWORD = "Datadeed-Demo-2026"  # noqa: S105 - printed for demo logins on purpose


@dataclass(frozen=True)
class DemoUser:
    username: str
    display_name: str
    roles: tuple[Role, ...]


@dataclass(frozen=True)
class DemoOrg:
    org_code: str  # 9-character organisation code inside the USCC (positions 9-17)
    registrar_prefix: str  # positions 1-2: 91 enterprise, 12 public institution, 11 organ
    name: str
    name_en: str
    kind: OrgKind
    users: tuple[DemoUser, ...]
    tier: MerchantTier | None = None

    @property
    def uscc(self) -> str:
        return make_uscc(f"{self.registrar_prefix}330108{self.org_code}")


DEMO_ORGS: tuple[DemoOrg, ...] = (
    DemoOrg(
        "MA2D0PL01",
        "12",
        "滨江数据资产服务平台运营中心",
        "Binjiang Data Asset Platform Operations",
        OrgKind.PLATFORM_OPERATOR,
        (DemoUser("ops.admin", "平台管理员 陈静", (Role.PLATFORM_ADMIN, Role.ORG_ADMIN)),),
    ),
    DemoOrg(
        "MA2D0RG02",
        "91",
        "之江数据交易所有限公司",
        "Zhijiang Data Exchange Co., Ltd.",
        OrgKind.REGISTRAR,
        (
            DemoUser(
                "registrar.lead", "登记主管 王磊", (Role.REGISTRATION_OFFICER, Role.ORG_ADMIN)
            ),
            DemoUser("reviewer.li", "审查员 李雪", (Role.REVIEWER,)),
            DemoUser("reviewer.zhou", "审查员 周航", (Role.REVIEWER,)),
        ),
    ),
    DemoOrg(
        "MA2D0AP03",
        "91",
        "西湖资产评估有限公司",
        "West Lake Asset Appraisal Co., Ltd.",
        OrgKind.APPRAISER,
        (DemoUser("appraiser.sun", "资产评估师 孙悦", (Role.APPRAISER, Role.ORG_ADMIN)),),
    ),
    DemoOrg(
        "MA2D0BK04",
        "91",
        "钱江银行杭州科技支行",
        "Qianjiang Bank Hangzhou Sci-Tech Branch",
        OrgKind.BANK,
        (DemoUser("bank.officer", "客户经理 赵敏", (Role.BANK_OFFICER, Role.ORG_ADMIN)),),
    ),
    DemoOrg(
        "MA2D0RE05",
        "11",
        "滨江区数据资源管理局",
        "Binjiang District Data Resources Bureau",
        OrgKind.REGULATOR,
        (DemoUser("regulator.wu", "数据局 吴刚", (Role.REGULATOR, Role.ORG_ADMIN)),),
    ),
    DemoOrg(
        "MA2D0EA06",
        "91",
        "数谷智能语料科技有限公司",
        "Shugu AI Corpus Technology Co., Ltd.",
        OrgKind.ENTERPRISE,
        (
            DemoUser("corpus.admin", "数据负责人 林晓", (Role.ORG_ADMIN, Role.DATA_MANAGER)),
            DemoUser("corpus.analyst", "数据分析师 何畅", (Role.DATA_MANAGER,)),
        ),
        MerchantTier.SPARK,
    ),
    DemoOrg(
        "MA2D0EB07",
        "91",
        "江南智慧物流数据有限公司",
        "Jiangnan Smart Logistics Data Co., Ltd.",
        OrgKind.ENTERPRISE,
        (DemoUser("logistics.admin", "数据负责人 郑航", (Role.ORG_ADMIN, Role.DATA_MANAGER)),),
        MerchantTier.STAR_SEA,
    ),
    DemoOrg(
        "MA2D0EC08",
        "91",
        "云栖健康信息技术有限公司",
        "Yunqi Health Information Technology Co., Ltd.",
        OrgKind.ENTERPRISE,
        (DemoUser("health.admin", "数据负责人 许宁", (Role.ORG_ADMIN, Role.DATA_MANAGER)),),
    ),
)


# Evidence each demo enterprise has lodged: (label, synthetic file content).
DEMO_EVIDENCE: dict[str, tuple[tuple[str, str], ...]] = {
    "corpus.admin": (
        ("中文对话语料 2026Q3 版", "id,dialogue\n1,你好，请问数据资产怎么登记？\n"),
        ("法律问答指令集 v2", "id,question,answer\n1,什么是数据持有权？,依法持有数据的权利\n"),
    ),
    "logistics.admin": (
        ("长三角干线物流轨迹 2026-10", "trip_id,lat,lon,ts\nT1,30.21,120.21,1761900000\n"),
    ),
    "health.admin": (("区域慢病随访统计（去标识化）", "region,year,cases\n330108,2025,1234\n"),),
}


def seed_demo(database: Database, settings: Settings) -> list[tuple[DemoOrg, DemoUser]]:
    """Create the demo organizations and users that do not exist yet; return all logins."""
    system = Principal.system()
    logins: list[tuple[DemoOrg, DemoUser]] = []
    with database.session() as session:
        accounts = AccountsService(session, settings)
        for spec in DEMO_ORGS:
            org = session.scalar(select(Organization).where(Organization.uscc == spec.uscc))
            if org is None:
                org = accounts.create_organization(system, _org_input(spec))
            for user in spec.users:
                if session.scalar(select(User.id).where(User.username == user.username)) is None:
                    accounts.create_user(system, org.id, _user_input(user))
                logins.append((spec, user))
        _seed_evidence(session, settings)
        _seed_datasets(session, settings)
        seed_registry(session, settings)
        seed_certificate_states(session, settings)
        seed_valuations(session, settings)
        seed_sensitivity(session, settings)
        seed_quality_demo(session, settings)
    return logins


# Datasets each demo enterprise has uploaded: (name, CSV content).
DEMO_DATASETS: dict[str, tuple[tuple[str, str], ...]] = {
    "corpus.admin": (
        (
            "中文客服对话语料",
            "id,channel,question,answer,created_at\n"
            + "".join(
                f"{i},{'app' if i % 3 else 'web'},如何办理数据产权登记？{i},"
                f"请在一窗受理处提交申请材料。,2026-10-{1 + i % 28:02d}\n"
                for i in range(1, 301)
            ),
        ),
    ),
    "logistics.admin": (
        (
            "干线运输时效统计",
            "route,month,shipments,on_time_rate\n"
            + "".join(
                f"杭州-{city},2026-{m:02d},{100 + m * 7},{0.9 + m / 200:.3f}\n"
                for city in ("上海", "南京", "合肥", "宁波")
                for m in range(1, 11)
            ),
        ),
    ),
}


def _seed_datasets(session: Session, settings: Settings) -> None:
    """Demo datasets with their quality reports, once."""
    if session.scalar(select(func.count()).select_from(Dataset)):
        return
    keyring = LogKeyring.from_settings(settings)
    datasets = DatasetService(session, settings, LedgerService(session, settings, keyring))
    for username, items in DEMO_DATASETS.items():
        user = session.scalars(select(User).where(User.username == username)).one()
        for name, content in items:
            datasets.upload_version(
                principal_for(user), [content.encode()], name=name, filename=f"{name}.csv"
            )


def _seed_evidence(session: Session, settings: Settings) -> None:
    """Evidence receipts for the demo enterprises, once (none if the log already has them)."""
    if session.scalar(select(func.count()).select_from(EvidenceRecord)):
        return
    keyring = LogKeyring.from_settings(settings)
    ledger = LedgerService(session, settings, keyring)
    evidence = EvidenceService(session, settings, ledger)
    for username, items in DEMO_EVIDENCE.items():
        user = session.scalars(select(User).where(User.username == username)).one()
        for label, content in items:
            data = content.encode()
            evidence.lodge(
                principal_for(user),
                EvidenceInput(
                    algo="sha256",
                    digest=hashlib.sha256(data).hexdigest(),
                    size_bytes=len(data),
                    filename=f"{label}.csv",
                    media_type="text/csv",
                    metadata={"label": label},
                ),
            )


def _org_input(spec: DemoOrg) -> OrganizationCreate:
    return OrganizationCreate(
        uscc=spec.uscc,
        name=spec.name,
        name_en=spec.name_en,
        kind=spec.kind,
        merchant_tier=spec.tier,
    )


def _user_input(user: DemoUser) -> UserCreate:
    return UserCreate(
        username=user.username,
        display_name=user.display_name,
        password=DEMO_PASSWORD,
        roles=list(user.roles),
    )
