"""Temporary files written next to a final file, then ``os.replace``-d onto it, and the
clean-up of those that a killed process left behind.

A writer that is killed (SIGKILL, power cut, Task Manager) cannot delete its temporary file,
and a hidden ``.report....xlsx.tmp`` of several MB would then stay next to the user's report
for good. So the temporary name carries the writer's host and process id
(``.<stem>.<host>-<pid>-<random><suffix>.tmp``), and every later write of the same final file
first removes the temporary files of that name whose writer is gone: same host, process no
longer running. A temporary file of a live writer (two analyses writing the same report at
once) or of another computer (a shared folder) is never touched.
"""
from __future__ import annotations

import hashlib
import os
import platform
import re
import secrets
import sys
import time
from pathlib import Path

# Names written by earlier versions (no pid in them); removed once they are an hour old.
_LEGACY_AGE_S = 3600.0


def _host_tag() -> str:
    return hashlib.sha256(platform.node().encode("utf-8", "replace")).hexdigest()[:6]


def temp_path(final: Path | str) -> Path:
    """A fresh temporary name in ``final``'s folder, unique to this process and call."""
    final = Path(final)
    return final.with_name(f".{final.stem}.{_host_tag()}-{os.getpid()}-{secrets.token_hex(4)}{final.suffix}.tmp")


def pid_alive(pid: int) -> bool:
    """Whether process ``pid`` is running (on doubt: True, so nothing live is deleted)."""
    if pid <= 0:
        return False
    if pid == os.getpid():
        return True
    if sys.platform == "win32":
        # os.kill on Windows terminates the process: ask the kernel instead.
        import ctypes

        kernel32 = ctypes.windll.kernel32
        handle = kernel32.OpenProcess(0x1000, False, pid)  # PROCESS_QUERY_LIMITED_INFORMATION
        if not handle:
            return ctypes.GetLastError() == 5  # ERROR_ACCESS_DENIED: it exists
        try:
            code = ctypes.c_ulong()
            if not kernel32.GetExitCodeProcess(handle, ctypes.byref(code)):
                return True
            return code.value == 259  # STILL_ACTIVE
        finally:
            kernel32.CloseHandle(handle)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # EPERM: someone else's live process
    return True


def sweep_stale(final: Path | str) -> list[Path]:
    """Remove the temporary files for ``final`` whose writer died; returns what was removed.

    Never raises: a file that cannot be removed (read-only folder, gone meanwhile) is left.
    """
    final = Path(final)
    ours = re.compile(rf"^\.{re.escape(final.stem)}\.([0-9a-f]{{6}})-(\d+)-[0-9a-f]+{re.escape(final.suffix)}\.tmp$")
    legacy = re.compile(rf"^\.(?:{re.escape(final.stem)}_[A-Za-z0-9_]{{8}}{re.escape(final.suffix)}|"
                        rf"{re.escape(final.name)})\.tmp$")  # mkstemp report names, fixed CSV name
    host, now, removed = _host_tag(), time.time(), []
    try:
        entries = list(os.scandir(final.parent))
    except OSError:
        return removed
    for entry in entries:
        if not entry.name.startswith("."):
            continue
        m = ours.match(entry.name)
        try:
            if m:
                if m.group(1) != host or pid_alive(int(m.group(2))):
                    continue
            elif not (legacy.match(entry.name) and now - entry.stat().st_mtime > _LEGACY_AGE_S):
                continue
            if not entry.is_file(follow_symlinks=False):
                continue
            os.unlink(entry.path)
            removed.append(Path(entry.path))
        except OSError:
            continue
    return removed
