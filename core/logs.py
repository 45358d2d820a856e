"""The local log: ``<user data dir>/logs/reviewlens.log``, rotated at 1 MB, 3 old files kept.

Policy (the log may be attached to a support e-mail, so it must never hold a shop's data):
core code logs only counts, paths, timings, versions and error classes, never review text,
names or any cell content. Loggers live under ``reviewlens.`` (``logging.getLogger(
"reviewlens.cli")``). As a second line of defence the file handler carries ``TextRedactor``,
which masks personal data (``core.text.mask_pii``), blanks out long runs of CJK characters and cuts
over-long messages, so a slip does not write whole reviews or phone numbers to disk.

Nothing leaves the computer: the log is a plain local file. ``setup_logging`` never fails
the app: an unwritable data folder just means no log file. It is idempotent (call it from
the CLI and from the GUI; a second call with the same folder changes nothing).
"""
from __future__ import annotations

import logging
import logging.handlers
import os
import re
from pathlib import Path

from core.paths import user_data_dir

LOG_NAME = "reviewlens.log"
MAX_BYTES = 1_000_000
BACKUPS = 3
MAX_MESSAGE = 300  # characters; longer messages are cut (paths and counts never need more)
_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(process)d] %(message)s"
# Six or more CJK characters in a row look like free text (a review, a name plus address),
# not like the short words a message template or a file name holds.
_CJK_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u3000-\u303f\uff00-\uffef]{6,}")


def _mask(text: str) -> str:
    from core.text import mask_pii  # phones, e-mails, order numbers, names, addresses

    return mask_pii(text)


class TextRedactor(logging.Filter):
    """Rewrites a record's message so it cannot carry review text (see the module policy)."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken format string: keep the template only
            message = str(record.msg)
        clean = _CJK_RUN.sub("[text]", _mask(message))
        if len(clean) > MAX_MESSAGE:
            clean = clean[:MAX_MESSAGE] + f"... [{len(clean) - MAX_MESSAGE} chars cut]"
        record.msg, record.args = clean, None
        if record.exc_info and record.exc_info[1] is not None:
            # The traceback's last line repeats the exception message; format it here, redacted.
            text = logging.Formatter().formatException(record.exc_info)
            record.exc_text = _CJK_RUN.sub("[text]", _mask(text))
            record.exc_info = None
        return True


def log_dir() -> Path:
    return user_data_dir() / "logs"


def _level() -> int:
    value = getattr(logging, os.environ.get("REVIEWLENS_LOG_LEVEL", "INFO").upper(), None)
    return value if isinstance(value, int) else logging.INFO


def setup_logging(level: int | None = None) -> Path | None:
    """Attach the rotating file handler to the ``reviewlens`` logger; returns the log path or None.

    ``level`` defaults to ``REVIEWLENS_LOG_LEVEL`` (INFO when unset).
    """
    logger = logging.getLogger("reviewlens")
    logger.setLevel(level if level is not None else _level())
    try:
        folder = log_dir()
        folder.mkdir(parents=True, exist_ok=True)
        path = (folder / LOG_NAME).resolve()
    except OSError:
        return None
    for handler in list(logger.handlers):
        if getattr(handler, "_reviewlens", False):
            if Path(handler.baseFilename) == path:  # type: ignore[attr-defined]
                return path
            logger.removeHandler(handler)  # the data folder changed (tests, REVIEWLENS_HOME)
            handler.close()
    try:
        handler = logging.handlers.RotatingFileHandler(path, maxBytes=MAX_BYTES, backupCount=BACKUPS,
                                                       encoding="utf-8", delay=True)
    except OSError:
        return None
    handler._reviewlens = True  # type: ignore[attr-defined]
    handler.setFormatter(logging.Formatter(_FORMAT))
    handler.addFilter(TextRedactor())
    logger.addHandler(handler)
    logger.propagate = False  # the user's terminal gets one-line errors, not log chatter
    return path
