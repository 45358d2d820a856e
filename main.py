"""ReviewLens entry point: no arguments -> desktop app; a subcommand -> headless CLI."""
from __future__ import annotations

import multiprocessing
import sys


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] in ("gui", "--gui"):
        from gui.app import run_app  # Qt is imported only for the desktop app

        return run_app(argv[1:])
    from core.cli import run_cli

    return run_cli(argv)


if __name__ == "__main__":
    multiprocessing.freeze_support()  # training subprocesses in the frozen app
    sys.exit(main())
