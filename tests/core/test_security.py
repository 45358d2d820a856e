"""Trust: formula-safe exports, safe file formats only, verified models, masked personal data.

Runs on the tiny test model (tests/gui/tiny_model.py), so it needs neither models/default
nor torch; the same code paths load the real model.
"""
from __future__ import annotations

import ast
import csv
import json
import os
import shutil
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import Workbook, load_workbook

from core.analysis import analyze_table
from core.errors import UserError
from core.importing import read_reviews
from core.model import ModelStore, load_engine, verify_model_dir
from core.project import Project, export_labels
from core.report import make_cell, write_report, write_results_csv
from tests.gui.tiny_model import build_tiny_model

ROOT = Path(__file__).resolve().parents[2]

FORMULAS = ['=HYPERLINK("http://evil.example/x","点我领红包") 质量很好',
            '+1 超级好用，物流很快', "-5分都嫌多，质量太差了", "@客服 为什么还不发货，差评",
            '=cmd|" /C calc"!A0 good product', "=1+1 nice shirt"]
# Realistic personal data as shoppers type it; each (text, secrets that must not survive).
PII = [
    ("收货人：王小明 电话13812345678，地址：浙江省杭州市西湖区文三路123号，东西不错",
     ["王小明", "13812345678", "文三路123号"]),
    ("联系人:李华，手机 +86 139-1234-5678，邮箱 lihua@example.com，衣服质量很差",
     ["李华", "139-1234-5678", "lihua@example.com"]),
    ("订单号 2024031512345678 发货太慢了，客服也不理人", ["2024031512345678"]),
    ("收货人张伟，浙江省杭州市西湖区文三路478号华星大厦5楼，东西收到了很满意", ["张伟", "文三路478号"]),
    ("固话 0571-88234567 打不通，售后太差", ["88234567"]),
    ("Ship to: John Smith, 1234 Oak Street, Apt 5. Call (555) 123-4567 or john.smith@gmail.com. "
     "Order #112-3456789-1234567 arrived damaged.",
     ["John Smith", "1234 Oak Street", "123-4567", "john.smith@gmail.com", "3456789"]),
    ("Contact: Mary Jones, 415-555-0199, great shirt but runs small", ["Mary Jones", "555-0199"]),
]
SECRETS = [s for _, secrets in PII for s in secrets]


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory) -> Path:
    return build_tiny_model(tmp_path_factory.mktemp("model") / "tiny")


@pytest.fixture()
def home(tmp_path, monkeypatch) -> Path:
    monkeypatch.setenv("REVIEWLENS_HOME", str(tmp_path / "home"))
    return tmp_path / "home"


def _export_file(tmp_path: Path) -> Path:
    texts = FORMULAS + [t for t, _ in PII] + ["很好，下次还来", "Love it, great quality"]
    path = tmp_path / "reviews.csv"
    pd.DataFrame({"评价内容": texts, "评分": [1, 5, 1, 2, 4, 3] + [3] * len(PII) + [5, 5],
                  "评价时间": ["2026-03-01"] * len(texts)}).to_csv(path, index=False, encoding="utf-8-sig")
    return path


@pytest.fixture()
def insights(tmp_path, model_dir, home):
    table = read_reviews(_export_file(tmp_path))
    return analyze_table(table, load_engine(model_dir, device="cpu"))


def _cells(path: Path):
    wb = load_workbook(path)  # not read-only: data_type is what Excel will see
    return [c for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.value is not None]


# -- formulas ---------------------------------------------------------------------------
def test_report_never_writes_a_formula(insights, tmp_path):
    out = write_report(insights, tmp_path / "report.xlsx", lang="zh")
    cells = _cells(out)
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    starts = [c for c in cells if isinstance(c.value, str) and c.value[:1] in "=+-@"]
    assert len(starts) >= len(FORMULAS)  # the dangerous texts are there, as text
    assert all(c.data_type == "s" for c in starts)


@pytest.mark.parametrize("value", ["=1+1", "+SUM(A1:A3)", "-2+3", "@SUM(A1)", "\t=1+1", "\r=1+1", "=cmd|'/C calc'!A0"])
def test_every_formula_start_is_a_text_cell(tmp_path, value):
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("s")
    ws.append([make_cell(ws, value)])
    wb.save(tmp_path / "c.xlsx")
    cell = load_workbook(tmp_path / "c.xlsx").active["A1"]
    assert cell.data_type == "s"
    # openpyxl's own XML writer turns a CR into LF (lxml, when installed, keeps it); text either way
    assert cell.value in (value, value.replace("\r", "\n"))


def test_results_csv_and_label_export_defuse_formulas(insights, tmp_path, home):
    out = write_results_csv(insights, tmp_path / "results.csv")
    with open(out, encoding="utf-8-sig", newline="") as fh:
        texts = [r["text"] for r in csv.DictReader(fh)]
    assert not [t for t in texts if t[:1] in ("=", "+", "-", "@", "\t", "\r")]
    assert sum(t.startswith("'") for t in texts) >= len(FORMULAS)
    with Project.create(tmp_path / "p.rlproj") as project:
        project.add_reviews(pd.DataFrame({"text": FORMULAS}), source_path="x.csv")
        project.set_labels("sentiment", [(i, "negative") for i in range(1, len(FORMULAS) + 1)])
        export_labels(project, tmp_path / "labels.xlsx")
        export_labels(project, tmp_path / "labels.csv")
    cells = _cells(tmp_path / "labels.xlsx")
    assert not [c for c in cells if c.data_type == "f"]
    raw = pd.read_csv(tmp_path / "labels.csv", encoding="utf-8-sig", dtype=str)
    assert not [t for t in raw["text"] if t[:1] in "=+-@"]


# -- only safe formats are ever loaded ------------------------------------------------------
_UNSAFE_MODULES = {"pickle", "cPickle", "_pickle", "dill", "cloudpickle", "joblib", "shelve", "marshal", "torch"}


def _unsafe_calls(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module or ""]
            found += [f"{path}:{node.lineno} import {n}" for n in names
                      if n.split(".")[0] in _UNSAFE_MODULES - {"torch"}]
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
        owner = func.value.id if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) else ""
        if owner in _UNSAFE_MODULES and name in ("load", "loads", "Unpickler", "open"):
            found.append(f"{path}:{node.lineno} {owner}.{name}")
        if name in ("eval", "exec") and not owner:
            found.append(f"{path}:{node.lineno} {name}()")
        if owner in ("np", "numpy") and name == "load":
            for kw in node.keywords:
                if kw.arg == "allow_pickle" and not (isinstance(kw.value, ast.Constant) and kw.value.value is False):
                    found.append(f"{path}:{node.lineno} np.load(allow_pickle=...)")
        if owner == "yaml" and name == "load":
            found.append(f"{path}:{node.lineno} yaml.load")
        if owner in ("pd", "pandas") and name == "read_pickle":
            found.append(f"{path}:{node.lineno} pd.read_pickle")
    return found


def test_core_never_loads_pickle_formats():
    files = sorted((ROOT / "core").rglob("*.py")) + [ROOT / "main.py"]
    assert len(files) > 20
    assert [hit for f in files for hit in _unsafe_calls(f)] == []


def test_the_scanner_catches_what_it_looks_for(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text("import pickle\nimport numpy as np\nimport torch\nimport joblib\n"
                   "pickle.load(f)\ntorch.load(p)\njoblib.load(p)\nnp.load(p, allow_pickle=True)\n"
                   "np.load(p)\nnp.load(p, allow_pickle=False)\n", encoding="utf-8")
    hits = _unsafe_calls(bad)
    assert len(hits) == 6, hits  # import pickle, import joblib, 3 loads, the allow_pickle=True np.load


# -- models are verified before use ---------------------------------------------------------
def _tamper(model: Path) -> None:
    data = bytearray((model / "model.onnx").read_bytes())
    data[len(data) // 2] ^= 0x01  # one flipped bit inside the weights
    (model / "model.onnx").write_bytes(bytes(data))


def test_tampered_model_is_refused_by_engine_and_store(model_dir, tmp_path, home):
    bad = tmp_path / "bad"
    shutil.copytree(model_dir, bad)
    _tamper(bad)
    with pytest.raises(UserError, match="sha256 mismatch"):
        load_engine(bad, device="cpu")
    store = ModelStore()
    with pytest.raises(UserError, match="sha256 mismatch"):
        store.import_folder(bad)
    assert store.versions() == []
    # a tokenizer swapped after the fact is caught the same way
    swapped = tmp_path / "swapped"
    shutil.copytree(model_dir, swapped)
    (swapped / "tokenizer.json").write_text((swapped / "tokenizer.json").read_text().replace("好", "坏", 1))
    with pytest.raises(UserError, match="sha256 mismatch"):
        verify_model_dir(swapped)
    # a stored version tampered with on disk stops loading too
    version = store.import_folder(model_dir)
    _tamper(version.path)
    with pytest.raises(UserError, match="sha256 mismatch"):
        load_engine(version.path, device="cpu")


def _rewrite_manifest(folder: Path, extra_name: str, meta: dict) -> None:
    manifest = json.loads((folder / "manifest.json").read_text())
    manifest["files"][extra_name] = meta
    (folder / "manifest.json").write_text(json.dumps(manifest))


@pytest.mark.parametrize("name", ["../outside.json", "/etc/passwd", "sub/../../outside.json", "C:\\Windows\\x.json",
                                  "..\\outside.json"])
def test_import_refuses_paths_escaping_the_folder(model_dir, tmp_path, home, name):
    outside = tmp_path / "outside.json"
    outside.write_text("{}")
    src = tmp_path / "src"
    shutil.copytree(model_dir, src)
    _rewrite_manifest(src, name, {"sha256": "0" * 64})
    with pytest.raises(UserError, match="outside its folder"):
        ModelStore().import_folder(src)
    assert ModelStore().versions() == []


@pytest.mark.skipif(os.name == "nt", reason="symlinks need privileges on Windows")
def test_import_refuses_links_and_pickle_files(model_dir, tmp_path, home):
    linked = tmp_path / "linked"
    shutil.copytree(model_dir, linked)
    secret = tmp_path / "secret.txt"
    secret.write_text("not yours")
    (linked / "notes.txt").symlink_to(secret)
    with pytest.raises(UserError, match="contains a link"):
        ModelStore().import_folder(linked)
    link_dir = tmp_path / "link_dir"
    link_dir.symlink_to(model_dir, target_is_directory=True)
    with pytest.raises(UserError, match="is a link"):
        ModelStore().import_folder(link_dir)
    pickled = tmp_path / "pickled"
    shutil.copytree(model_dir, pickled)
    (pickled / "pytorch_model.bin").write_bytes(b"\x80\x04K\x01.")
    with pytest.raises(UserError, match="pickle files are never accepted"):
        ModelStore().import_folder(pickled)
    assert ModelStore().versions() == []


# -- personal data is masked in every export by default ----------------------------------------
def _leaks(texts) -> list[str]:
    blob = "\n".join(str(t) for t in texts)
    return [s for s in SECRETS if s in blob]


def test_personal_data_is_masked_in_every_export_by_default(insights, tmp_path, home):
    report = write_report(insights, tmp_path / "report.xlsx", lang="en")
    cell_texts = [c.value for c in _cells(report)]
    assert _leaks(cell_texts) == []
    assert any("[phone]" in str(v) for v in cell_texts) and any("[name]" in str(v) for v in cell_texts)

    results = write_results_csv(insights, tmp_path / "results.csv")
    results_text = results.read_text(encoding="utf-8-sig")
    assert _leaks([results_text]) == [] and "[email]" in results_text

    with Project.create(tmp_path / "p.rlproj") as project:
        project.add_reviews(pd.DataFrame({"text": [t for t, _ in PII]}), source_path="x.csv")
        project.set_labels("sentiment", [(i, "negative") for i in range(1, len(PII) + 1)])
        for name in ("labels.csv", "labels.xlsx"):
            assert export_labels(project, tmp_path / name) == len(PII)
        export_labels(project, tmp_path / "raw.csv", mask=False)
    assert _leaks([(tmp_path / "labels.csv").read_text(encoding="utf-8-sig")]) == []
    assert _leaks(c.value for c in _cells(tmp_path / "labels.xlsx")) == []
    # the opt-out really is an opt-out (so the checks above could fail)
    assert set(_leaks([(tmp_path / "raw.csv").read_text(encoding="utf-8-sig")])) == set(SECRETS)
    unmasked = write_report(insights, tmp_path / "unmasked.xlsx", lang="en", mask=False)
    assert _leaks(c.value for c in _cells(unmasked))


def test_cli_exports_mask_by_default(model_dir, tmp_path, home, capsys):
    from core.cli import run_cli

    src = _export_file(tmp_path)
    assert run_cli(["analyze", str(src), "-o", str(tmp_path / "r.xlsx"), "--results", str(tmp_path / "r.csv"),
                    "--model", str(model_dir), "--device", "cpu"]) == 0
    assert _leaks(c.value for c in _cells(tmp_path / "r.xlsx")) == []
    assert _leaks([(tmp_path / "r.csv").read_text(encoding="utf-8-sig")]) == []
    project = tmp_path / "p.rlproj"
    assert run_cli(["project", "create", str(project)]) == 0
    labels = tmp_path / "in.csv"
    pd.DataFrame({"text": [t for t, _ in PII], "label": ["negative"] * len(PII)}).to_csv(labels, index=False)
    assert run_cli(["import-labels", "--project", str(project), str(labels), "--text-column", "text",
                    "--label-column", "label", "--task", "sentiment"]) == 0
    assert run_cli(["export-labels", "--project", str(project), "-o", str(tmp_path / "out.csv")]) == 0
    assert _leaks([(tmp_path / "out.csv").read_text(encoding="utf-8-sig")]) == []
    capsys.readouterr()


# -- the local log holds no review text ---------------------------------------------------------
def test_log_has_no_review_text_even_at_debug(model_dir, tmp_path, home, monkeypatch, capsys):
    import logging

    from core.cli import run_cli
    from core.logs import LOG_NAME, setup_logging

    monkeypatch.setenv("REVIEWLENS_LOG_LEVEL", "DEBUG")
    sample = ROOT / "resources" / "samples" / "taobao_export.xlsx"
    assert run_cli(["analyze", str(sample), "-o", str(tmp_path / "r.xlsx"), "--model", str(model_dir),
                    "--device", "cpu"]) == 0
    assert run_cli(["analyze", str(tmp_path / "missing.xlsx"), "-o", str(tmp_path / "x.xlsx")]) == 2
    capsys.readouterr()
    log = home / "logs" / LOG_NAME
    text = log.read_text(encoding="utf-8")
    assert "analyze started" in text and "analyze finished, exit 0" in text and "user error" in text
    assert logging.getLogger("reviewlens").level == logging.DEBUG
    frame = pd.read_excel(sample, sheet_name="评价数据", header=1)
    reviews = [t for t in frame["评价内容"].dropna().astype(str) if len(t) >= 4]
    assert len(reviews) > 200
    assert [t for t in reviews if t in text] == []
    # a slip that logs a review is redacted by the handler's filter
    setup_logging()
    logging.getLogger("reviewlens.test").warning("bad review: %s", reviews[0] + " " + PII[0][0])
    logging.getLogger("reviewlens.test").error("long: %s", "x" * 5000)
    for handler in logging.getLogger("reviewlens").handlers:
        handler.flush()
    text = log.read_text(encoding="utf-8")
    assert "bad review: [text]" in text and "chars cut]" in text and "x" * 400 not in text
    assert _leaks([text]) == [] and [t for t in reviews if len(t) >= 6 and t in text] == []


def test_log_rotates_at_one_megabyte(home):
    import logging

    from core.logs import BACKUPS, LOG_NAME, MAX_BYTES, setup_logging

    path = setup_logging()
    assert path == (home / "logs" / LOG_NAME).resolve()
    assert setup_logging() == path  # idempotent: still one handler
    ours = [h for h in logging.getLogger("reviewlens").handlers if getattr(h, "_reviewlens", False)]
    assert len(ours) == 1 and ours[0].maxBytes == MAX_BYTES == 1_000_000 and ours[0].backupCount == BACKUPS == 3
    log = logging.getLogger("reviewlens.test")
    for i in range(16000):  # ~330 bytes a line: about 5 MB in all
        log.info("row batch %d of 16000, %d reviews, %.2f s, model %s", i, 2000, 0.25, "v" * 220)
    ours[0].flush()
    files = sorted(p.name for p in (home / "logs").iterdir())
    assert files == [LOG_NAME, LOG_NAME + ".1", LOG_NAME + ".2", LOG_NAME + ".3"]
    assert all((home / "logs" / f).stat().st_size <= MAX_BYTES for f in files)
