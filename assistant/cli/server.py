"""``assistant serve``: the HTTP API (one process, or several workers over a Chroma server)."""

from __future__ import annotations

import argparse
import sys

from assistant.cli.common import settings_from


def cmd_serve(args: argparse.Namespace) -> int:
    import os

    import uvicorn

    from api.app import create_app

    settings = settings_from(args)
    if args.no_seed:
        settings.seed_corpus = None
    host, port = args.host or settings.host, args.port or settings.port
    from assistant.store import database

    store = database.open_store(settings)
    try:  # the store's schema follows the code before any request (`assistant db upgrade`)
        database.upgrade(store)
    finally:
        store.dispose()
    if args.workers <= 1:
        uvicorn.run(create_app(settings), host=host, port=port)
        return 0
    if settings.chroma_mode != "http":
        print(
            "error: several workers need Chroma in server mode: run `chroma run --path DIR --port 8001` and set "
            "ASSISTANT_CHROMA_MODE=http (embedded Chroma allows one process)",
            file=sys.stderr,
        )
        return 2
    from assistant.service import Assistant

    assistant = Assistant(settings)  # seed (and make the dev key) once here, not in every worker at the same time
    try:
        assistant.seed_if_empty()
        if settings.auth_dev_key:
            assistant.keys.dev_admin_key(settings.dev_key_path)
    finally:
        assistant.close()
    # Each worker builds its own app from the environment: pass on what the command line changed.
    os.environ["ASSISTANT_DATA_DIR"] = str(settings.data_dir)
    os.environ["ASSISTANT_SEED_CORPUS"] = ""
    uvicorn.run("api.app:create_app", factory=True, host=host, port=port, workers=args.workers)
    return 0


def add_commands(sub: argparse._SubParsersAction, evals: argparse._SubParsersAction) -> None:
    p = sub.add_parser("serve", help="run the HTTP API")
    p.add_argument("--host")
    p.add_argument("--port", type=int)
    p.add_argument("--no-seed", action="store_true", help="do not ingest the sample corpus into an empty index")
    p.add_argument(
        "--workers", type=int, default=1, help="worker processes (more than 1 needs ASSISTANT_CHROMA_MODE=http)"
    )
    p.set_defaults(func=cmd_serve)
