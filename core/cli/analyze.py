"""``reviewlens analyze INPUT``: import, analyse, write the Excel report and/or a results CSV."""
from __future__ import annotations

import argparse
import locale
import os
import sys
import time
from pathlib import Path


def default_lang() -> str:
    for var in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(var)
        if value:
            return "zh" if value.lower().startswith("zh") else "en"
    try:
        loc = locale.getlocale()[0] or ""
    except ValueError:
        loc = ""
    return "zh" if loc.lower().startswith("zh") else "en"


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "analyze", help="analyse a review export and write an Excel insight report",
        description="Analyse a review spreadsheet (xlsx/xls/csv) offline and write an Excel report and/or a CSV "
                    "of per-review results. Personal data (phone numbers, e-mails, order ids, names) is masked in "
                    "every export, the CSV included, unless --no-mask is given.")
    p.add_argument("input", help="review export: .xlsx, .xls or .csv")
    p.add_argument("-o", "--output", metavar="REPORT.xlsx", help="Excel report to write")
    p.add_argument("--results", metavar="RESULTS.csv",
                   help="CSV with one row per input data row, in input order: row, text, sentiment, "
                        "sentiment_confidence, aspects, intents, skipped, language, duplicate_of, product, date, "
                        "rating, mismatch, followup, followup_sentiment, reply when the file has them, task:<name> per custom "
                        "task model, then topic (the review's main topic, empty when none) "
                        "(UTF-8 with BOM; free text masked unless --no-mask; a text starting with "
                        "= + - @ gets a leading ' so spreadsheet apps never run it)")
    p.add_argument("--text-column", help="column with the review text (name, 1-based number or letter)")
    p.add_argument("--rating-column", help="column with the star rating")
    p.add_argument("--date-column", help="column with the review date")
    p.add_argument("--product-column", help="column with the product name")
    p.add_argument("--sku-column", help="column with the SKU / variant (颜色分类, 商品属性, Variant)")
    p.add_argument("--followup-column", help="column with the follow-up review (追评/追加评价)")
    p.add_argument("--reply-column", help="column with the merchant's reply (商家回复)")
    p.add_argument("--sheet", help="sheet to read (default: the one that looks like reviews)")
    p.add_argument("--header-row", type=int, default=None,
                   help="1-based row that holds the column names (default: detected; rows above it are skipped)")
    p.add_argument("--model", metavar="DIR", help="model folder (default: the bundled model, or with --project "
                                                  "the project's active model)")
    p.add_argument("--project", metavar="FILE", type=Path,
                   help="use the models active in this project (.rlproj): its retrained sentiment, intents, "
                        "aspects and custom-task models")
    p.add_argument("--fast", action="store_true",
                   help="fast mode: the bundled model's 3-layer network instead of its 12-layer one "
                        "(several times faster, a few points less accurate: BENCHMARKS.md)")
    p.add_argument("--device", choices=("auto", "cpu", "cuda"), default="auto")
    p.add_argument("--threads", type=int, help="CPU threads for the model (default: all cores)")
    p.add_argument("--lang", choices=("zh", "en"), default=None, help="report language (default: system locale)")
    p.add_argument("--no-mask", action="store_true", help="write personal data unmasked (report and CSV)")
    p.set_defaults(handler=run_analyze)


class _Bar:
    """A tqdm progress bar on stderr fed by Progress callbacks (fraction, message)."""

    def __init__(self) -> None:
        from tqdm import tqdm

        self.bar = tqdm(total=1000, file=sys.stderr, unit="‰", bar_format="{l_bar}{bar}| {elapsed}<{remaining}",
                        disable=None)
        self.stage = ""

    def __call__(self, fraction: float, message: str) -> None:
        target = int(max(0.0, min(1.0, fraction)) * 1000)
        if target > self.bar.n:
            self.bar.update(target - self.bar.n)
        if message and message.split(" ")[0] != self.stage:
            self.stage = message.split(" ")[0]
        self.bar.set_description_str(message[:40], refresh=False)

    def close(self) -> None:
        self.bar.close()


def run_analyze(args: argparse.Namespace) -> int:
    from core.analysis import analyze_table
    from core.importing import read_reviews
    from core.jobs import wrap_progress
    from core.model import active_model_dir, bundled_model_dir, load_engine
    from core.report import write_report, write_results_csv

    started = time.perf_counter()
    lang = args.lang or default_lang()
    out = Path(args.output) if args.output else None
    if out is None and not args.results:
        out = Path.cwd() / f"{Path(args.input).stem}_report.xlsx"
    bar = _Bar()
    try:
        table = read_reviews(args.input, sheet=args.sheet, text_column=args.text_column,
                             rating_column=args.rating_column, date_column=args.date_column,
                             product_column=args.product_column, sku_column=args.sku_column,
                             followup_column=args.followup_column, reply_column=args.reply_column,
                             header_row=args.header_row, progress=wrap_progress(bar, 0.0, 0.05))
        bar(0.05, "Loading model")
        store = None
        if args.project:
            from core.model import ModelStore
            from core.project import Project

            Project.open(args.project, readonly=True).close()  # a clear error for a missing/bad project
            store = ModelStore(project=args.project)
        model = args.model or (active_model_dir(args.project) if args.project else None)
        engine = load_engine(model or bundled_model_dir(), device=args.device, threads=args.threads,
                             fast=args.fast)
        insights = analyze_table(table, engine, progress=wrap_progress(bar, 0.07, 0.9), store=store)
        if args.results:
            bar(0.9, "Writing results CSV")
            write_results_csv(insights, Path(args.results), mask=not args.no_mask)
        if out is not None:
            write_report(insights, out, lang=lang, mask=not args.no_mask, progress=wrap_progress(bar, 0.9, 1.0))
        bar(1.0, "Done")
    finally:
        bar.close()
    elapsed = time.perf_counter() - started
    print(summary_text(insights, elapsed, report=out, results=args.results), file=sys.stderr)
    for note in table.warnings:  # read, but likely not what the user meant (e.g. no dates)
        hint = " (--date-column NAME)" if note.startswith("date column") else ""
        kind = "note" if " treated as title rows" in note else "warning"
        print(f"{kind}: {Path(args.input).name}: {note}{hint}", file=sys.stderr)
    return 0


def summary_text(insights, elapsed: float, *, report=None, results=None) -> str:
    counts = insights.sentiment_counts()
    analysed = sum(counts.values())
    skipped = len(insights.reviews) - analysed
    pct = {k: (100.0 * v / analysed if analysed else 0.0) for k, v in counts.items()}
    fixes = insights.fix_list
    lines = [f"Analysed {analysed:,} reviews, skipped {skipped:,} "
             f"({', '.join(f'{k} {v}' for k, v in insights.method.get('skipped', {}).items() if v) or 'none'}).",
             f"Sentiment: positive {pct['positive']:.1f}%, neutral {pct['neutral']:.1f}%, "
             f"negative {pct['negative']:.1f}%."]
    if len(fixes) and "reviews" in fixes.columns:  # the what-to-fix list, worst first
        lines.append("Top issues: " + "; ".join(
            f"{r['name']} ({int(r['reviews'])} reviews{', ' + r['trend'] if r['trend'] else ''})"
            for _, r in fixes.head(3).iterrows()))
    rate = analysed / elapsed if elapsed > 0 else 0.0
    lines.append(f"Model {insights.method.get('model_version')} on {insights.method.get('provider')}; "
                 f"{elapsed:.1f} s, {rate:.0f} reviews/s.")
    for label, p in (("Report", report), ("Results", results)):
        if p:
            lines.append(f"{label}: {p}")
    return "\n".join(lines)
