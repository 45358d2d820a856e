"""The one exception type for mistakes a user can cause.

Its message is a single line that names the file, sheet, row or column and says what
to do. The CLI prints it and exits 2; the GUI shows it in a dialog. Never a traceback.
"""
from __future__ import annotations


class UserError(Exception):
    """A problem with the user's input or environment, explained in one line."""

    def __init__(self, message: str) -> None:
        # Keep it on one line whatever the caller passed in.
        super().__init__(" ".join(str(message).split()))

    @property
    def message(self) -> str:
        return str(self)
