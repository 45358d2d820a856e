"""Headless command line: ``python main.py analyze|train|models|...``.

Each subcommand lives in its own module of ``core/cli/`` exposing
``register(subparsers)``; the handler returns an exit status. A ``UserError`` is
printed on one line and exits 2, never as a traceback.
"""
from __future__ import annotations

import argparse
import logging
import sys
import time
from typing import Callable

from core import __version__
from core.cli import analyze, project, train
from core.errors import UserError

# Modules that contribute subcommands; each exposes register(subparsers).
SUBCOMMANDS = (analyze, train, project)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="reviewlens", description="Offline review insights for shop owners.")
    parser.add_argument("--version", action="store_true", help="print the app and model versions and exit")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module in SUBCOMMANDS:
        module.register(sub)
    return parser


def version_line() -> str:
    from core.model import active_model_dir, read_manifest  # numpy and the model code: only when asked

    try:
        model = read_manifest(active_model_dir()).get("version", "unknown")
    except UserError:
        model = "missing"
    return f"ReviewLens {__version__} (model {model})"


def run_cli(argv: list[str]) -> int:
    from core.logs import setup_logging  # after parsing: --help and mistakes in arguments stay instant

    parser = build_parser()
    args = parser.parse_args(argv)
    if args.version:
        print(version_line())
        return 0
    handler: Callable[[argparse.Namespace], int] | None = getattr(args, "handler", None)
    if handler is None:
        parser.print_help()
        return 2
    setup_logging()
    log = logging.getLogger("reviewlens.cli")  # counts, paths, timings only: never review text
    started = time.perf_counter()
    log.info("%s started (ReviewLens %s)", args.command, __version__)
    try:
        rc = int(handler(args) or 0)
    except UserError as exc:
        log.warning("%s: user error after %.1f s: %s", args.command, time.perf_counter() - started, exc)
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        log.info("%s cancelled", args.command)
        print("cancelled", file=sys.stderr)
        return 130
    except Exception:
        log.exception("%s failed", args.command)
        raise
    log.info("%s finished, exit %d, %.1f s", args.command, rc, time.perf_counter() - started)
    return rc
