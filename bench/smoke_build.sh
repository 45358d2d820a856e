#!/usr/bin/env bash
# Smoke-test the built app (dist/ReviewLens) from a clean environment: no venv on PATH, no
# PYTHON* variables, an empty HOME and user data folder. The project's venv python is used
# only AFTERWARDS, to open the outputs with openpyxl and to write a small labels file.
#   bench/smoke_build.sh [APP_DIR]      (default dist/ReviewLens)
# Prints one PASS/FAIL line per check; exits 1 when any check failed.
set -uo pipefail
cd "$(dirname "$0")/.."
REPO=$(pwd)
APP=${1:-dist/ReviewLens}
EXE="$REPO/$APP/ReviewLens"
VENV_PY="$REPO/.venv/bin/python"
WORK=$(mktemp -d /tmp/reviewlens-smoke.XXXXXX)
GUI_SECONDS=${GUI_SECONDS:-6}
fails=0
pass() { echo "PASS $*"; }
fail() { echo "FAIL $*"; fails=$((fails + 1)); }
# env -i: nothing from this shell leaks in (no VIRTUAL_ENV, PYTHONPATH, LD_LIBRARY_PATH, proxies).
run_clean() {
  env -i PATH=/usr/bin:/bin HOME="$WORK/home" REVIEWLENS_HOME="$WORK/data" TMPDIR="$WORK/tmp" LANG=C.UTF-8 \
    "$@"
}
mkdir -p "$WORK/home" "$WORK/data" "$WORK/tmp"
[ -x "$EXE" ] || { echo "FAIL no executable at $EXE: run bench/build_app.sh first"; exit 1; }
echo "smoke: $EXE, work folder $WORK"

# 1. --version
out=$(cd "$WORK" && run_clean "$EXE" --version 2>&1)
if [[ "$out" =~ ^ReviewLens\ [0-9][^\ ]*\ \(model\ [^\)]+\)$ ]] && [[ "$out" != *"model missing"* ]]; then
  pass "--version: $out"
else
  fail "--version printed: $out"
fi

# 2. headless analyze of the sample export -> report + results CSV, then open them
t0=$(date +%s%N)
(cd "$WORK" && run_clean "$EXE" analyze "$REPO/resources/samples/taobao_export.xlsx" -o "$WORK/x.xlsx" \
  --results "$WORK/x.csv" >"$WORK/analyze.out" 2>"$WORK/analyze.err")
rc=$?
t1=$(date +%s%N)
if [ $rc -eq 0 ] && [ -s "$WORK/x.xlsx" ]; then
  pass "analyze exit 0 in $(( (t1 - t0) / 1000000 )) ms: $(grep -m1 '^Analysed' "$WORK/analyze.err")"
else
  fail "analyze exit $rc: $(tail -3 "$WORK/analyze.err")"
fi
if "$VENV_PY" - "$WORK/x.xlsx" "$WORK/x.csv" <<'EOF'
import csv, sys
from openpyxl import load_workbook
wb = load_workbook(sys.argv[1])
formulas = [c.coordinate for ws in wb for row in ws.iter_rows() for c in row if c.data_type == "f"]
rows = list(csv.DictReader(open(sys.argv[2], encoding="utf-8-sig")))
assert len(wb.sheetnames) >= 9 and not formulas and len(rows) > 200, (wb.sheetnames, formulas[:3], len(rows))
print(f"{len(wb.sheetnames)} sheets, {len(rows)} result rows, no formulas")
EOF
then pass "report opens with openpyxl"; else fail "report does not open / is incomplete"; fi

# 2b. the first analyze of a fresh install used the caches prebuilt into the build (core/analysis/prebuild.py)
# instead of building jieba's dictionary cache and training the seed intent head
shipped=$(ls "$REPO/$APP/_internal/cache" 2>/dev/null | tr '\n' ' ')
built=$(ls "$WORK/data/cache" 2>/dev/null | grep -E '^(jieba|intent_head_)' | tr '\n' ' ')
if [[ "$shipped" == *jieba-* ]] && [[ "$shipped" == *intent_head_* ]] && [ -z "$built" ]; then
  pass "prebuilt caches used (shipped: $shipped)"
else
  fail "prebuilt caches: shipped '$shipped', built at run time '$built'"
fi

# 3. a user mistake: one line on stderr, exit 2
err=$(cd "$WORK" && run_clean "$EXE" analyze "$WORK/nope.xlsx" 2>&1 >/dev/null); rc=$?
if [ $rc -eq 2 ] && [ "$(printf '%s\n' "$err" | grep -c .)" -eq 1 ]; then pass "bad input: exit 2, one line"
else fail "bad input: exit $rc, stderr: $err"; fi

# 4. retraining in the frozen app: quick works, full says clearly why not
"$VENV_PY" - "$REPO/resources/samples/taobao_export.xlsx" "$WORK/labels.csv" <<'EOF'
import sys, pandas as pd
df = pd.read_excel(sys.argv[1], sheet_name="评价数据", header=1)
df = df[df["评价内容"].notna() & df["评分"].isin(["好评", "差评"])].head(120)
pd.DataFrame({"text": df["评价内容"], "label": df["评分"].map({"好评": "positive", "差评": "negative"})}) \
    .to_csv(sys.argv[2], index=False, encoding="utf-8-sig")
EOF
P="$WORK/shop.rlproj"
(cd "$WORK" && run_clean "$EXE" project create "$P" >/dev/null 2>&1 &&
  run_clean "$EXE" import-labels --project "$P" "$WORK/labels.csv" --text-column text --label-column label \
    --task sentiment >"$WORK/import.out" 2>&1); rc=$?
[ $rc -eq 0 ] && pass "project create + import-labels: $(cat "$WORK/import.out")" || fail "import-labels exit $rc: $(tail -2 "$WORK/import.out")"
(cd "$WORK" && run_clean "$EXE" train --project "$P" --mode quick --force >"$WORK/train.out" 2>"$WORK/train.err"); rc=$?
if [ $rc -eq 0 ] && grep -q "activated" "$WORK/train.out"; then pass "quick retraining: $(tail -1 "$WORK/train.out")"
else fail "quick retraining exit $rc: $(tail -3 "$WORK/train.err")"; fi
out=$(cd "$WORK" && run_clean "$EXE" --version 2>&1)
[[ "$out" == *"(model sentiment-"* ]] && pass "retrained model active: $out" || fail "after training --version: $out"
err=$(cd "$WORK" && run_clean "$EXE" train --project "$P" --mode full 2>&1 >/dev/null); rc=$?
if [ $rc -eq 2 ] && [[ "$err" == *"Full retraining needs PyTorch"* ]]; then pass "full retraining refused in one line (exit 2)"
else fail "full retraining: exit $rc: $err"; fi
(cd "$WORK" && run_clean "$EXE" models rollback >/dev/null 2>&1)

# 5. the local log exists and holds no review text
LOG="$WORK/data/logs/reviewlens.log"
if [ -s "$LOG" ] && "$VENV_PY" - "$LOG" "$REPO/resources/samples/taobao_export.xlsx" <<'EOF'
import sys, pandas as pd
log = open(sys.argv[1], encoding="utf-8").read()
texts = [t for t in pd.read_excel(sys.argv[2], sheet_name="评价数据", header=1)["评价内容"].dropna().astype(str) if len(t) >= 4]
leaks = [t for t in texts if t in log]
assert not leaks, leaks[:3]
EOF
then pass "log $LOG: $(wc -l <"$LOG") lines, no review text"; else fail "log missing or leaks review text"; fi

# 6. the desktop app starts offscreen and stays up
(cd "$WORK" && exec env -i PATH=/usr/bin:/bin HOME="$WORK/home" REVIEWLENS_HOME="$WORK/data" TMPDIR="$WORK/tmp" \
  LANG=C.UTF-8 QT_QPA_PLATFORM=offscreen "$EXE" >"$WORK/gui.out" 2>"$WORK/gui.err") &
gui=$!
sleep "$GUI_SECONDS"
if kill -0 "$gui" 2>/dev/null; then
  pass "GUI (offscreen) still running after ${GUI_SECONDS} s"
  kill "$gui" 2>/dev/null; sleep 1; kill -9 "$gui" 2>/dev/null
else
  wait "$gui"; fail "GUI exited early (exit $?): $(tail -5 "$WORK/gui.err")"
fi
wait "$gui" 2>/dev/null
if grep -qiE "traceback|error" "$WORK/gui.err"; then echo "note: GUI stderr: $(grep -iE -m3 'traceback|error' "$WORK/gui.err")"; fi
if [ -n "$(ls "$WORK/data/crash" 2>/dev/null)" ]; then fail "GUI wrote crash logs: $(ls "$WORK/data/crash")"; fi

# 7. the inference build carries no training stack
bad=$(find "$REPO/$APP" \( -name 'torch' -o -name 'transformers' -o -name 'sympy' -o -name 'libtorch*' \) | head -3)
[ -z "$bad" ] && pass "no torch/transformers/sympy in the build" || echo "note: training packages present (training build?): $bad"

echo "smoke: $fails failure(s); outputs in $WORK"
[ $fails -eq 0 ]
