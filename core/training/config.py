"""What a training run is given (``TrainConfig``) and what it returns (``TrainResult``)."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

MIN_PER_CLASS = 2
SMALL_DATA = 60  # below this many labels, quick mode evaluates by cross-validation


@dataclass
class TrainConfig:
    mode: str = "quick"  # quick | full
    seed: int = 0
    eval_fraction: float = 0.25
    max_epochs: int = 6
    patience: int = 2
    batch_size: int = 16
    lr: float = 5e-5
    head_lr: float = 2e-3
    train_layers: int | None = None  # None: the top half
    max_length: int = 128
    threads: int | None = None


@dataclass
class TrainResult:
    task: str
    mode: str
    labels: list[str]
    metrics_new: dict
    metrics_current: dict | None
    verdict: str
    better: bool
    staging_dir: Path
    n_train: int
    n_eval: int
    seconds: float
    evaluation: str  # "held-out" or "k-fold cross-validation"
    notes: list[str] = field(default_factory=list)
    activatable: bool = True  # False: too few labels of some class (core.training.evaluation.MIN_TO_ACTIVATE)
    missing: dict = field(default_factory=dict)  # class -> labels still needed before activation
    interval: tuple[float, float] | None = None  # 90 % bootstrap interval of macro-F1 new - current
    n_compared: int = 0  # reviews both models were scored on (none the current model trained on)
