"""The one place that wires the web application: create_app(settings)."""

from __future__ import annotations

import logging
from pathlib import Path

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles

from datadeed import __version__
from datadeed.accounts import api as accounts_api
from datadeed.accounts import views as accounts_views
from datadeed.certificates import api as certificates_api
from datadeed.certificates import views as certificates_views
from datadeed.config import Settings, get_settings
from datadeed.datasets import api as datasets_api
from datadeed.datasets import views as datasets_views
from datadeed.db import Database
from datadeed.errors import DatadeedError
from datadeed.evidence import api as evidence_api
from datadeed.evidence import views as evidence_views
from datadeed.jobs import api as jobs_api
from datadeed.jobs.worker import jobs_lifespan
from datadeed.ledger import api as ledger_api
from datadeed.ledger.keys import LogKeyring
from datadeed.registry import api as registry_api
from datadeed.registry import views as registry_views
from datadeed.sensitive import api as sensitive_api
from datadeed.sensitive import views as sensitive_views
from datadeed.valuation import api as valuation_api
from datadeed.valuation import views as valuation_views
from datadeed.web.errors import install_error_handlers, problem
from datadeed.web.middleware import BodyLimitMiddleware, RequestContextMiddleware, RequestIdFilter

API_PREFIX = "/api/v1"
STATIC_DIR = Path(__file__).parent / "web" / "static"
# Routes that take files: their bodies are streamed and may be up to upload_max_bytes.
UPLOAD_PREFIXES: tuple[str, ...] = (
    "/api/v1/evidence/upload",
    "/evidence/new",
    "/api/v1/datasets/upload",
    "/datasets/new",
    "/api/v1/application-documents",
    "/application-documents",
)

log = logging.getLogger("datadeed")


def configure_logging(level: str) -> None:
    """Log lines carry the request id; call once per process."""
    root = logging.getLogger()
    if any(isinstance(f, RequestIdFilter) for h in root.handlers for f in h.filters):
        return
    handler = logging.StreamHandler()
    handler.addFilter(RequestIdFilter())
    handler.setFormatter(
        logging.Formatter("%(asctime)s %(levelname)s [%(request_id)s] %(name)s: %(message)s")
    )
    root.addHandler(handler)
    root.setLevel(level)


def _health_router() -> APIRouter:
    router = APIRouter(tags=["health"])

    @router.get("/healthz")
    def healthz() -> dict[str, str]:
        """Liveness: the process answers."""
        return {"status": "ok", "version": __version__}

    @router.get("/readyz", response_model=None)
    def readyz(request: Request) -> dict[str, str] | JSONResponse:
        """Readiness: the database answers."""
        try:
            request.app.state.db.ping()
        except Exception as exc:  # any driver error means not ready
            log.warning("readiness check failed: %s", exc)
            return problem(
                request, 503, "database_unavailable", "Not ready", "database unreachable"
            )
        return {"status": "ready", "database": request.app.state.db.dialect}

    return router


def create_app(settings: Settings | None = None, database: Database | None = None) -> FastAPI:
    """Build the ASGI app. Tests pass their own Database bound to a rolled-back connection."""
    settings = settings or get_settings()
    database = database or Database.from_url(settings.effective_database_url)
    app = FastAPI(
        title="datadeed",
        version=__version__,
        description="Data property registration, evidence storage, quality and valuation.",
        openapi_url=f"{API_PREFIX}/openapi.json",
        docs_url=None,  # Swagger UI would load scripts from a CDN; the spec is enough.
        redoc_url=None,
        lifespan=jobs_lifespan,  # the background job worker (datadeed.jobs)
    )
    app.state.settings = settings
    app.state.db = database
    app.state.keyring = LogKeyring.from_settings(settings)
    install_error_handlers(app)
    app.add_middleware(
        BodyLimitMiddleware,
        max_bytes=settings.max_body_bytes,
        upload_prefixes=UPLOAD_PREFIXES,
        upload_max_bytes=settings.upload_max_bytes,
    )
    app.add_middleware(RequestContextMiddleware, default_locale=settings.default_locale)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    app.include_router(_health_router())
    app.include_router(accounts_api.router, prefix=API_PREFIX)
    app.include_router(ledger_api.router, prefix=API_PREFIX)
    app.include_router(ledger_api.tiles_router)
    app.include_router(evidence_api.router, prefix=API_PREFIX)
    app.include_router(evidence_views.router)
    app.include_router(datasets_api.router, prefix=API_PREFIX)
    app.include_router(datasets_views.router)
    app.include_router(jobs_api.router, prefix=API_PREFIX)
    app.include_router(registry_api.router, prefix=API_PREFIX)
    app.include_router(registry_views.router)
    app.include_router(sensitive_api.router, prefix=API_PREFIX)
    app.include_router(sensitive_views.router)
    app.include_router(certificates_api.router, prefix=API_PREFIX)
    app.include_router(certificates_views.router)
    app.include_router(valuation_api.router, prefix=API_PREFIX)
    app.include_router(valuation_views.router)
    app.include_router(accounts_views.router)
    return app


__all__ = ["API_PREFIX", "DatadeedError", "create_app"]
