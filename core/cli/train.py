"""``main.py train``: retrain from a project's labels or straight from a labelled file."""
from __future__ import annotations

import argparse
import shutil
import sys
import time
from pathlib import Path

from core.errors import UserError
from core.jobs import CancelToken

SENTIMENT_LABELS = ["negative", "neutral", "positive"]


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("train", help="retrain the model from your labels (project or labelled file)",
                       description="Retrain from a project's labels (--project) or from a labelled spreadsheet "
                                   "(--data ... --out DIR). The new model is evaluated against the current one "
                                   "on the same held-out reviews; a worse model is not activated unless --force.")
    src = p.add_mutually_exclusive_group(required=True)
    src.add_argument("--project", type=Path, help="project file (.rlproj)")
    src.add_argument("--data", type=Path, help="labelled .csv/.xlsx file")
    p.add_argument("--task", default="sentiment", help="task to train (default sentiment)")
    p.add_argument("--mode", choices=("quick", "full"), default="quick",
                   help="quick: new head on frozen features (seconds); full: fine-tune the student (minutes)")
    p.add_argument("--text-column", help="with --data: the review text column")
    p.add_argument("--label-column", help="with --data: the label column (multi-label tasks: labels joined by ';', "
                                         "a blank cell = none of the labels)")
    p.add_argument("--labels", help="with --data and a custom task: its labels, comma-separated "
                                    "(default: the values found in the column)")
    p.add_argument("--multi-label", action="store_true",
                   help="with --data and a custom task: a review may have several labels (intents always may)")
    p.add_argument("--sheet", help="with --data: the sheet to read")
    p.add_argument("--out", type=Path, help="with --data: write the model folder here (use it with analyze --model)")
    p.add_argument("--model", type=Path, help="start from this model folder (default: the active model)")
    p.add_argument("--no-activate", action="store_true", help="with --project: store the version but keep the current one")
    p.add_argument("--force", action="store_true", help="activate even when the new model is not better")
    p.add_argument("--threads", type=int, default=None)
    p.add_argument("--seed", type=int, default=0)
    p.set_defaults(handler=run_train)


def _progress_bar():
    from tqdm import tqdm

    bar = tqdm(total=100, unit="%", file=sys.stderr, bar_format="{l_bar}{bar}| {n:.0f}% [{elapsed}<{remaining}] {desc}")

    def update(fraction: float, message: str) -> None:
        target = round(fraction * 100)
        if target > bar.n:
            bar.update(target - bar.n)
        bar.set_description_str(message[:60], refresh=False)

    return bar, update


def _labelled_from_file(args) -> tuple[list[str], list, list[str], bool]:
    from core.project import INTENT_LABELS, normalize_column, read_sheet, split_multi

    if not args.text_column or not args.label_column:
        raise UserError("With --data, name the columns: --text-column C --label-column L.")
    multi = args.task == "intents" or args.multi_label
    if args.task == "sentiment" and multi:
        raise UserError("Sentiment takes one label per review: drop --multi-label.")
    frame = read_sheet(args.data, sheet=args.sheet)
    for col in (args.text_column, args.label_column):
        if col not in frame.columns:
            raise UserError(f"{args.data.name}: no column '{col}' (columns: {', '.join(map(str, frame.columns))}).")
    frame = frame[[args.text_column, args.label_column]]
    frame = frame[frame[args.text_column].notna() & (frame[args.text_column].astype(str).str.strip() != "")]
    if multi:  # a blank cell: the review was read and none of the labels applies
        frame = frame.assign(**{args.label_column: frame[args.label_column].fillna("")})
    else:
        frame = frame.dropna()
    if args.task == "sentiment":
        names = SENTIMENT_LABELS
    elif args.task == "intents":
        names = list(INTENT_LABELS)
    elif args.labels:
        names = [x.strip() for x in args.labels.split(",") if x.strip()]
    else:
        cells = frame[args.label_column].astype(str)
        names = sorted({part for c in cells for part in (split_multi(c) if multi else [c.strip()]) if part})
    kind = "multi" if multi else "single"
    keep = frame[args.label_column].astype(str).str.strip() != ""
    values = normalize_column(frame.loc[keep, args.label_column].tolist(), task=args.task, kind=kind, labels=names,
                              rows=[int(i) + 2 for i in frame.index[keep]], where=(args.data.name, args.label_column))
    texts = frame[args.text_column].astype(str).tolist()
    if not multi:
        return texts, [v[0] for v in values], names, False
    it = iter(values)
    return texts, [next(it) if k else [] for k in keep.tolist()], names, True


def _print_metrics(result) -> None:
    def line(name, m):
        if "micro_f1" in m:
            return (f"  {name:<8} micro-F1 {m['micro_f1']:.3f}  macro-F1 {m['macro_f1']:.3f}  "
                    f"exact match {m['accuracy']:.3f}")
        return f"  {name:<8} accuracy {m['accuracy']:.3f}  macro-F1 {m['macro_f1']:.3f}"

    print(f"evaluation: {result.evaluation}, {result.n_eval} reviews; trained on {result.n_train}")
    print(line("new", result.metrics_new))
    if result.metrics_current:
        print(line("current", result.metrics_current))
    print("  per class (new): " + ", ".join(f"{k} F1 {v['f1']:.2f} (n={v['support']})"
                                            for k, v in result.metrics_new["per_class"].items()))
    print(f"verdict: {result.verdict}")


def project_store(project: Path):
    """The model store as seen by ``project``: its own active versions (models belong to a project)."""
    from core.model import ModelStore

    return ModelStore(project=project)


def run_train(args: argparse.Namespace) -> int:
    from core.training import TrainConfig, labelled_from_project, train_model, train_multilabel_model

    if args.project:
        texts, labels, label_names, multi = labelled_from_project(args.project, args.task)
    else:
        if not args.out:
            raise UserError("With --data, say where the model folder goes: --out DIR.")
        texts, labels, label_names, multi = _labelled_from_file(args)
    cfg = TrainConfig(mode=args.mode, seed=args.seed, threads=args.threads)
    bar, update = _progress_bar()
    cancel = CancelToken()
    t0 = time.time()
    trainer = train_multilabel_model if multi else train_model
    store = project_store(args.project) if args.project else None
    base_dir = args.model or (store.active_dir("sentiment") if store is not None else None)
    try:
        result = trainer(texts, labels, task=args.task, label_names=label_names, mode=args.mode,
                         base_dir=base_dir, config=cfg, progress=update, cancel=cancel, seed=args.seed, store=store)
    finally:
        bar.close()
    _print_metrics(result)
    if args.data:
        out = args.out
        if out.exists() and any(out.iterdir()):
            raise UserError(f"Output folder {out} is not empty: choose a new folder.")
        out.parent.mkdir(parents=True, exist_ok=True)
        if out.exists():
            out.rmdir()
        shutil.move(str(result.staging_dir), str(out))
        print(f"model written to {out} ({time.time() - t0:.0f} s); use it with: analyze --model {out}")
        return 0
    from core.project import Project
    from core.training import should_activate

    store = project_store(args.project)
    activate = should_activate(result, force=args.force, no_activate=args.no_activate)
    version = store.add(result.staging_dir, activate=activate)
    with Project.open(args.project) as project:
        project.record_model_version(version.version, task=args.task, path=version.path,
                                     metrics={"new": result.metrics_new, "current": result.metrics_current},
                                     active=activate)
    state = "activated" if activate else "stored, not activated"
    if not activate and result.missing:
        state += " (too few labels: " + ", ".join(f"{n} more '{c}'" for c, n in result.missing.items()) + ")"
    elif not activate and not result.better and not args.force:
        state += " (not shown to be better than the current model; use --force to activate anyway)"
    print(f"{args.task} version {version.version} {state} ({time.time() - t0:.0f} s)")
    return 0
