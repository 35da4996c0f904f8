"""Demo registrations (once; a second run adds nothing): cases in every part of the
workflow, driven through the real service so that each step is in the ledger.

- 中文客服对话语料: registered on both tracks (certificates issued), filed in October;
- 干线运输时效统计: under public notice now;
- 区域医疗资源统计: under notice with a pending objection (the clock paused);
- 法律问答指令集: in formal review, accepted in early November, so now overdue;
- 城市配送热力: returned for correction (补正);
- an empty draft;
- 社区卫生服务站点统计 (health.admin): a dataset ready to be filed, its grade confirmed.

Past steps run on a demo clock set to their dates; the notices run from today.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from datadeed.accounts.models import User
from datadeed.accounts.principal import Principal
from datadeed.accounts.services import principal_for
from datadeed.config import Settings
from datadeed.datasets.models import Dataset, DatasetVersion
from datadeed.datasets.services import DatasetService
from datadeed.db import utcnow
from datadeed.errors import CalendarNotCovered
from datadeed.evidence.services import EvidenceInput, EvidenceService
from datadeed.ledger.keys import LogKeyring
from datadeed.ledger.services import LedgerService
from datadeed.registry.checklists import checklist_for
from datadeed.registry.models import RegistrationApplication
from datadeed.registry.schemas import ApplicationDraft, Decision, ObjectionIn, RightClaim
from datadeed.registry.services import RegistryService
from datadeed.registry.states import Action
from datadeed.sensitive.gates import latest_scan
from datadeed.sensitive.services import SensitiveService
from datadeed.workdays import SHANGHAI

OFFICER, REVIEWER = "registrar.lead", "reviewer.li"
log = logging.getLogger("datadeed.demo")
# (owner, dataset name, CSV made on the spot when the dataset does not exist yet)
EXTRA_DATASETS: tuple[tuple[str, str, str], ...] = (
    (
        "health.admin",
        "区域医疗资源统计",
        "region,year,hospitals,beds\n"
        + "".join(
            f"3301{d:02d},{y},{10 + d},{800 + d * 37 + y % 7}\n"
            for d in range(2, 10)
            for y in (2023, 2024, 2025)
        ),
    ),
    (
        "corpus.admin",
        "法律问答指令集",
        "id,question,answer\n"
        + "".join(
            f"{i},数据持有权的第{i}个问题？,依法持有数据的权利说明{i}\n" for i in range(1, 121)
        ),
    ),
    (  # not filed: ready for an application (its grade confirmed, its report made)
        "health.admin",
        "社区卫生服务站点统计",
        "district,year,stations,visits\n"
        + "".join(
            f"3301{d:02d},{y},{4 + d},{12000 + d * 911 + y % 13}\n"
            for d in range(2, 12)
            for y in (2024, 2025)
        ),
    ),
    (
        "logistics.admin",
        "城市配送热力",
        "district,hour,orders\n"
        + "".join(f"滨江区{z}街道,{h},{20 + z * 3 + h}\n" for z in range(1, 6) for h in range(24)),
    ),
)


class _Clock:
    def __init__(self) -> None:
        self.at: dt.datetime | None = None

    def __call__(self) -> dt.datetime:
        return self.at or utcnow()


def _on(day: dt.date, hour: int = 10) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, tzinfo=SHANGHAI)


class _Seeder:
    def __init__(self, session: Session, settings: Settings) -> None:
        self.session = session
        ledger = LedgerService(session, settings, LogKeyring.from_settings(settings))
        self.clock = _Clock()
        self.registry = RegistryService(session, settings, ledger, now=self.clock)
        self.datasets = DatasetService(session, settings, ledger)
        self.evidence = EvidenceService(session, settings, ledger)
        self.sensitive = SensitiveService(session, settings, ledger)
        self.officer = self.principal(OFFICER)
        self.reviewer = self.principal(REVIEWER)

    def principal(self, username: str) -> Principal:
        user = self.session.scalars(select(User).where(User.username == username)).one()
        return principal_for(user)

    def version(self, owner: str, name: str, csv: str | None = None) -> DatasetVersion:
        """The latest version of the owner's dataset ``name`` (uploaded if missing), scanned
        and its grade confirmed by the registrar's reviewer."""
        actor = self.principal(owner)
        dataset = self.session.scalar(
            select(Dataset).where(
                Dataset.name == name, Dataset.organization_id == actor.organization_id
            )
        )
        if dataset is None or not dataset.versions:
            assert csv is not None, f"demo dataset {name} is missing"
            version = self.datasets.upload_version(
                actor, [csv.encode()], name=name, filename=f"{name}.csv"
            )
        else:
            version = dataset.versions[-1]
        scan = latest_scan(self.session, version.id)
        if scan is None:
            self.sensitive.scan_version(version.id, actor)
            scan = latest_scan(self.session, version.id)
        if scan is not None and scan.grade_status != "confirmed":
            self.sensitive.confirm_grade(self.officer, scan.id)
        return version

    def receipt(self, owner: str, label: str) -> str:
        data = f"{owner}:{label}".encode()
        record = self.evidence.lodge(
            self.principal(owner),
            EvidenceInput(
                "sha256",
                hashlib.sha256(data).hexdigest(),
                filename=f"{label}.pdf",
                metadata={"label": label},
            ),
        )
        return record.receipt_id

    def file(
        self, owner: str, version: DatasetVersion, tracks: list[str], day: dt.date
    ) -> RegistrationApplication:
        """A complete application over ``version``, submitted on ``day``."""
        self.clock.at = _on(day, 9)
        draft = ApplicationDraft(
            title=version.dataset.name,
            tracks=tracks,
            object_type="data_product",
            rights_claimed=[
                RightClaim(right="hold", evidence=[self.receipt(owner, "数据持有权证明")]),
                RightClaim(right="operate", evidence=[self.receipt(owner, "数据经营授权书")]),
            ],
            source_category="self_produced",
            source_documents={"production_explanation": [self.receipt(owner, "系统投入说明")]},
            source_explanation="由本单位业务系统在经营中自行生产、汇总",
            coverage_period="2025-01 至 2026-09",
            coverage_region="浙江省杭州市",
            coverage_industry="数字经济",
            update_frequency="每月",
            description=f"{version.dataset.name}（已去标识化，按月更新）",
            dataset_version_id=version.id,
            commitment_accepted=True,
        )
        actor = self.principal(owner)
        app = self.registry.save_draft(actor, draft)
        return self.registry.submit(actor, app.id)

    def decide(
        self,
        app: RegistrationApplication,
        action: Action,
        when: dt.datetime | None,
        **extra: object,
    ) -> RegistrationApplication:
        self.clock.at = when
        actor = self.reviewer if action == Action.PASS_FORMAL else self.officer
        if action in (Action.PASS_FORMAL, Action.PUBLISH_NOTICE):
            stage = "formal" if action == Action.PASS_FORMAL else "substantive"
            extra["checklist"] = dict.fromkeys(checklist_for(stage, app.tracks), True)
        if action == Action.ASSIGN:
            extra["reviewer_ids"] = [self.reviewer.user_id]
        decision = Decision.model_validate({"action": action, "version": app.version, **extra})
        return self.registry.decide(actor, app.id, decision)

    def review(self, app: RegistrationApplication, day: dt.date, until: Action) -> None:
        """Accept on ``day`` and review on the following working days up to ``until``."""
        steps = (Action.ACCEPT, Action.ASSIGN, Action.PASS_FORMAL, Action.PUBLISH_NOTICE)
        for offset, action in enumerate(steps):
            when = _on(day + dt.timedelta(days=offset // 2), 10 + offset)
            on_time = None if action == Action.PUBLISH_NOTICE and until == action else when
            app = self.decide(app, action, on_time)
            if action == until:
                return


def seed_registry(session: Session, settings: Settings) -> None:
    """Demo applications in several states; nothing when any application exists."""
    if session.scalar(select(func.count()).select_from(RegistrationApplication)):
        return
    seeder = _Seeder(session, settings)
    for owner, name, csv in EXTRA_DATASETS:
        seeder.version(owner, name, csv)
    _registered(seeder)
    try:
        _cases_in_progress(seeder)
    except CalendarNotCovered as exc:
        # Notices run from today; without next year's holidays their end is unknown.
        session.rollback()
        log.warning("demo cases in progress skipped: %s", exc.message)
    seeder.clock.at = None


def _registered(seeder: _Seeder) -> None:
    version = seeder.version("corpus.admin", "中文客服对话语料")
    app = seeder.file("corpus.admin", version, ["data_ip", "data_property"], dt.date(2026, 10, 12))
    seeder.review(app, dt.date(2026, 10, 13), until=Action.PASS_FORMAL)
    app = seeder.decide(app, Action.PUBLISH_NOTICE, _on(dt.date(2026, 10, 15)))
    seeder.decide(app, Action.REGISTER, _on(dt.date(2026, 10, 30)))


def _cases_in_progress(seeder: _Seeder) -> None:
    today = utcnow().astimezone(SHANGHAI).date()
    recent = today - dt.timedelta(days=2)
    logistics = seeder.version("logistics.admin", "干线运输时效统计")
    app = seeder.file("logistics.admin", logistics, ["data_property"], recent)
    seeder.review(app, recent, until=Action.PUBLISH_NOTICE)  # the notice runs from today

    health = seeder.version("health.admin", "区域医疗资源统计")
    app = seeder.file("health.admin", health, ["data_property", "data_ip"], recent)
    seeder.review(app, recent, until=Action.PUBLISH_NOTICE)
    seeder.clock.at = None
    assert app.notice is not None
    seeder.registry.file_objection(
        seeder.principal("logistics.admin"),
        app.notice.notice_no,
        ObjectionIn(grounds="其中部分随访统计由我司参与共同采集，请求核实共同持有情况。"),
    )

    legal = seeder.version("corpus.admin", "法律问答指令集")
    app = seeder.file("corpus.admin", legal, ["data_ip"], dt.date(2026, 11, 2))
    seeder.review(app, dt.date(2026, 11, 3), until=Action.ASSIGN)  # overdue in formal review

    heat = seeder.version("logistics.admin", "城市配送热力")
    app = seeder.file("logistics.admin", heat, ["data_property"], recent)
    reasons = "请补充共同生产协议：热力数据含合作方门店订单。"
    seeder.decide(app, Action.RETURN, _on(recent, 15), reasons=reasons)

    seeder.clock.at = None
    seeder.registry.save_draft(
        seeder.principal("health.admin"), ApplicationDraft(title="医保结算统计（草稿）")
    )
