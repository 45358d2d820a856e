"""The shape of the code: the import contracts in pyproject.toml hold (run by import-linter,
which sees imports inside functions too), they would catch a breach, and no function in
core/ or gui/ grows past 80 lines."""
from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
MAX_FUNCTION_LINES = 80
# Functions allowed past MAX_FUNCTION_LINES, each with the reason. Empty: none is.
LONG_FUNCTION_EXEMPTIONS: dict[str, str] = {}

LINT = "import sys; from importlinter.cli import lint_imports; sys.exit(lint_imports(no_cache=True, no_logo=True))"


def _lint(where: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", LINT], cwd=where, capture_output=True, text=True, timeout=300,
                          env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(where)})


def test_import_contracts_are_kept():
    done = _lint(ROOT)
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
    assert "Contracts: 4 kept, 0 broken." in done.stdout


def _append(path: Path, code: str) -> None:
    path.write_text(path.read_text(encoding="utf-8") + "\n" + code + "\n", encoding="utf-8")


def test_each_contract_catches_a_breach(tmp_path):
    for name in ("core", "gui"):
        shutil.copytree(ROOT / name, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy2(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    _append(tmp_path / "core" / "errors.py", "import main  # noqa")  # core -> the entry point
    # a lower stage reaching up, hidden in a function: still an import
    _append(tmp_path / "core" / "text" / "clean.py", "def _late():\n    from core.analysis import Insights  # noqa")
    _append(tmp_path / "gui" / "help_dialog.py", "from core.analysis.aspects import load_lexicon  # noqa")
    _append(tmp_path / "gui" / "settings.py", "from gui.i18n import tr  # noqa")  # the old i18n <-> settings cycle
    done = _lint(tmp_path)
    assert done.returncode == 1, done.stdout[-4000:] + done.stderr[-2000:]
    assert "Contracts: 0 kept, 4 broken." in done.stdout, done.stdout[-4000:]
    for expected in ("core.errors -> main", "core.text.clean -> core.analysis",
                     "gui.help_dialog -> core.analysis.aspects", ".settings -> .i18n"):
        assert expected in done.stdout, expected


# Packages whose modules may be imported directly: core.modelbuild's modules are scripts
# (python -m core.modelbuild.build) and its __init__ stays empty, or runpy would find them
# imported twice; full retraining reuses their torch helpers.
OPEN_PACKAGES = ("core.modelbuild",)


def test_core_packages_use_each_other_through_their_public_functions():
    """A module of one core package imports another core package itself (what its __init__
    exports), never that package's modules: the same rule the GUI's contract states."""
    import grimp

    graph = grimp.build_graph("core", cache_dir=None)

    def package(module: str) -> str:
        return ".".join(module.split(".")[:2])

    reaching_in = sorted((a, b) for a in graph.modules for b in graph.find_modules_directly_imported_by(a)
                         if package(a) != package(b) and b != package(b) and package(b) not in OPEN_PACKAGES)
    assert not reaching_in, reaching_in


def _functions(root: Path):
    for path in sorted(root.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                yield f"{path.relative_to(ROOT)}:{node.lineno} {node.name}", node.end_lineno - node.lineno + 1


@pytest.mark.parametrize("package", ["core", "gui"])
def test_no_function_over_80_lines(package):
    too_long = [f"{where} ({n} lines)" for where, n in _functions(ROOT / package)
                if n > MAX_FUNCTION_LINES and where.split(" ")[-1] not in LONG_FUNCTION_EXEMPTIONS]
    assert not too_long, "split these by meaningful steps: " + "; ".join(too_long)


def test_the_function_scan_counts_what_it_should(tmp_path):
    body = "\n".join(f"    x{i} = {i}" for i in range(MAX_FUNCTION_LINES))
    (tmp_path / "m.py").write_text(f"def long():\n{body}\n\n\ndef short():\n    return 1\n", encoding="utf-8")
    tree = ast.parse((tmp_path / "m.py").read_text(encoding="utf-8"))
    sizes = {n.name: n.end_lineno - n.lineno + 1 for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)}
    assert sizes == {"long": MAX_FUNCTION_LINES + 1, "short": 2}
