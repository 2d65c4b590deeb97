"""FastAPI application factory."""

from __future__ import annotations

import logging
import sys
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.middleware.gzip import GZipMiddleware
from fastapi.openapi.utils import get_openapi

from api.audit import router as audit_router
from api.consultations import router as consultations_router
from api.drafting import router as drafting_router
from api.errors import install_error_handlers
from api.idempotency import install_idempotency
from api.meetings import router as meetings_router
from api.observability import install_observability
from api.roster import router as roster_router
from api.routes import router
from api.security import install_audit
from api.summaries import router as summaries_router
from api.web import STATIC
from api.web import router as web_router
from assistant import __version__
from assistant.config import Settings
from assistant.service import Assistant

log = logging.getLogger(__name__)


LLM_ENGINES = ["auto", "extractive", "llm"]


def _without_llm_engine(app: FastAPI) -> dict:
    """The OpenAPI document of a service with no language model: ``engine`` offers only auto and extractive,
    which is what such a service accepts (``llm`` is a 422 there)."""
    if app.openapi_schema is None:
        schema = get_openapi(title=app.title, version=app.version, routes=app.routes, description=app.description)

        def prune(node: object) -> None:
            if isinstance(node, dict):
                if node.get("enum") == LLM_ENGINES:
                    node["enum"] = LLM_ENGINES[:2]
                for value in node.values():
                    prune(value)
            elif isinstance(node, list):
                for value in node:
                    prune(value)

        prune(schema)
        app.openapi_schema = schema
    return app.openapi_schema


def create_app(settings: Settings | None = None, assistant: Assistant | None = None) -> FastAPI:
    """Build the app; the index opens (and the sample corpus is seeded if empty) at start-up."""
    settings = settings or Settings()
    owns_assistant = assistant is None
    assistant = assistant or Assistant(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        if settings.auth_dev_key:
            key = assistant.keys.dev_admin_key(settings.dev_key_path)
            print(
                f"Development admin key (also in {settings.dev_key_path}): {key}\n"
                "  Send it as 'Authorization: Bearer <key>'. For production set ASSISTANT_AUTH_DEV_KEY=false and "
                "create keys with `assistant keys create`.",
                file=sys.stderr,
                flush=True,
            )
        report = assistant.seed_if_empty()
        if report is not None:
            log.warning("ingested sample corpus: %s", report.summary())
        assistant.start_workflow()
        yield
        if owns_assistant:
            assistant.close()

    # Operation ids are the route functions' names (get_document, ask...): what generated clients call them.
    app = FastAPI(
        title="Grassroots document assistant",
        version=__version__,
        lifespan=lifespan,
        generate_unique_id_function=lambda route: route.name,
    )
    app.state.assistant = assistant
    install_error_handlers(app)
    install_audit(app)
    install_idempotency(app)
    app.add_middleware(GZipMiddleware, minimum_size=1000)  # phones on weak connections
    app.include_router(router)
    app.include_router(drafting_router)
    app.include_router(meetings_router)
    app.include_router(roster_router)
    app.include_router(consultations_router)
    app.include_router(summaries_router)
    app.include_router(audit_router)
    app.include_router(web_router)
    app.mount("/static", STATIC, name="static")
    install_observability(app)  # last: its middleware wraps all the others

    if assistant.engine == "extractive":
        app.openapi = lambda: _without_llm_engine(app)  # type: ignore[method-assign]

    @app.get("/health", summary="Liveness and index size (no key needed)")
    def health() -> dict:
        documents, chunks = assistant.index.catalog.counts()
        return {
            "status": "ok",
            "documents": documents,
            "chunks": chunks,
            "embedding_model": assistant.index.embedder.name,
            "engine": assistant.engine,
        }

    return app
