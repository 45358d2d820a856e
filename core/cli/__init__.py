"""The headless command line: ``python main.py analyze|train|models|...``.

* ``run``: ``run_cli`` (parse, dispatch, one-line errors, exit codes) and ``build_parser``
* ``analyze``, ``train``, ``project``: the subcommands, each exposing ``register(subparsers)``
"""
from __future__ import annotations

from core.cli.run import build_parser, run_cli, version_line

__all__ = ["build_parser", "run_cli", "version_line"]
