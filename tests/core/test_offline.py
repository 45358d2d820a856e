"""Offline guarantee: the whole flow runs with every network call refused, and needs no env vars.

Flow: import a sample export, analyse it, create a project, add the reviews, label some,
quick-retrain (core.training.train_model), store the new version, write the report, the
results CSV and the label export. The socket layer is patched to raise and to record every
attempt, so a library that catches the error and carries on is still caught.

Uses models/default when it is built, else the tiny test model (same code paths).
"""
from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook

from core.model import bundled_model_dir
from core.paths import resource_root
from tests.gui.tiny_model import build_tiny_model

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = resource_root() / "resources" / "samples" / "taobao_export.xlsx"
# Variables that would make a hub library behave offline: the app must not need any of them.
HUB_VARS = ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE", "HF_DATASETS_OFFLINE", "HF_HOME", "HF_ENDPOINT",
            "HUGGINGFACE_HUB_CACHE", "TRANSFORMERS_CACHE", "HF_HUB_DISABLE_TELEMETRY", "DO_NOT_TRACK",
            "ORT_DISABLE_TELEMETRY", "no_proxy", "NO_PROXY", "http_proxy", "https_proxy", "HTTP_PROXY",
            "HTTPS_PROXY")


class NetworkAttempt(AssertionError):
    pass


@pytest.fixture()
def no_network(monkeypatch):
    """Every way out through the socket module raises, and is recorded."""
    attempts: list[str] = []

    def refuse(name):
        def _raise(*args, **kwargs):
            attempts.append(f"{name}{args[1:2] if name.startswith('socket.') else args[:1]}")
            raise NetworkAttempt(f"network access attempted: {name}")
        return _raise

    for name in ("connect", "connect_ex", "sendto", "bind"):
        monkeypatch.setattr(socket.socket, name, refuse(f"socket.{name}"))
    monkeypatch.setattr(socket, "create_connection", refuse("create_connection"))
    monkeypatch.setattr(socket, "getaddrinfo", refuse("getaddrinfo"))
    monkeypatch.setattr(socket, "gethostbyname", refuse("gethostbyname"))
    for var in HUB_VARS:
        monkeypatch.delenv(var, raising=False)
    return attempts


@pytest.fixture()
def model(tmp_path_factory) -> Path:
    if (bundled_model_dir() / "manifest.json").is_file():
        return bundled_model_dir()
    return build_tiny_model(tmp_path_factory.mktemp("model") / "tiny")


def test_the_guard_really_blocks(no_network):
    with pytest.raises(NetworkAttempt):
        socket.create_connection(("127.0.0.1", 9))
    with pytest.raises(NetworkAttempt):
        socket.getaddrinfo("example.com", 443)
    with pytest.raises(NetworkAttempt):
        socket.socket().connect(("127.0.0.1", 9))
    assert len(no_network) == 3
    no_network.clear()


def test_whole_flow_runs_with_network_blocked(no_network, model, tmp_path, monkeypatch):
    monkeypatch.setenv("REVIEWLENS_HOME", str(tmp_path / "home"))
    from core.analysis import analyze_table
    from core.importing import read_reviews
    from core.logs import setup_logging
    from core.model import ModelStore, load_engine
    from core.project import Project, export_labels
    from core.report import write_report, write_results_csv
    from core.training import train_model

    assert setup_logging() is not None
    table = read_reviews(SAMPLE)
    assert len(table.frame) > 200
    engine = load_engine(model, device="cpu", threads=2)
    insights = analyze_table(table, engine)
    analysed = insights.analysed
    assert len(analysed) > 150

    with Project.create(tmp_path / "shop.rlproj") as project:
        assert project.add_reviews(table, source_path=SAMPLE) > 150
        reviews = project.reviews()
        rated = reviews[reviews["rating"].notna() & (reviews["rating"] != 3)].head(80)
        pairs = [(int(r.id), "positive" if r.rating >= 4 else "negative") for r in rated.itertuples()]
        assert project.set_labels("sentiment", pairs) == len(pairs)
        frame = project.labels("sentiment")
        export_labels(project, tmp_path / "labels.xlsx")

    result = train_model(frame["text"].tolist(), frame["value"].tolist(), task="sentiment",
                         label_names=["negative", "neutral", "positive"], mode="quick", base_dir=model,
                         staging_root=tmp_path / "staging")
    version = ModelStore(project=tmp_path / "shop.rlproj").add(result.staging_dir, activate=True)
    from core.model import active_model_dir

    retrained = load_engine(active_model_dir(tmp_path / "shop.rlproj"), device="cpu", threads=2)  # verified
    assert retrained.model_dir == version.path and retrained.predict(["很好"]).probs.shape == (1, 3)

    report = write_report(insights, tmp_path / "report.xlsx", lang="zh")
    results = write_results_csv(insights, tmp_path / "results.csv")
    assert load_workbook(report, read_only=True).sheetnames
    assert len(pd.read_csv(results, encoding="utf-8-sig")) == len(table.frame)
    assert no_network == []


def test_cli_analyze_needs_no_network_and_no_hub_libraries(model, tmp_path):
    """In a fresh interpreter: analyze with sockets refused, then check what got imported."""
    env = {k: v for k, v in os.environ.items() if k not in HUB_VARS}
    env["REVIEWLENS_HOME"] = str(tmp_path / "home")
    script = f"""
import socket, sys
def refuse(*a, **k):
    raise SystemExit("network access attempted")
socket.socket.connect = socket.socket.connect_ex = refuse
socket.create_connection = socket.getaddrinfo = refuse
sys.path.insert(0, {str(ROOT)!r})
from core.cli import run_cli
rc = run_cli(["analyze", {str(SAMPLE)!r}, "-o", {str(tmp_path / "r.xlsx")!r}, "--model", {str(model)!r},
              "--device", "cpu", "--threads", "2"])
heavy = sorted(m for m in ("torch", "transformers", "huggingface_hub", "optimum", "requests", "urllib3",
                           "sympy", "onnx") if m in sys.modules)
print("RC", rc, "HEAVY", ",".join(heavy))
"""
    proc = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=300,
                          cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "RC 0 HEAVY \n" in proc.stdout + "\n", proc.stdout
    assert (tmp_path / "r.xlsx").is_file()
