#!/usr/bin/env bash
# ReviewLens developer entry point: sets everything up on a fresh machine, then runs a job.
#   ./dev.sh demo   analyse the bundled sample export with the bundled model -> out/sample_report.xlsx
#   ./dev.sh test   run the whole test suite (what .ci/run calls)
#   ./dev.sh app    start the desktop app
# Set-up is idempotent: Debian packages Qt needs (when root), .venv, pinned Python packages
# (torch first, pinned, so nothing pulls a multi-GB CUDA build).
set -euo pipefail
cd "$(dirname "$0")"
PY=${PYTHON:-python3.11}
command -v "$PY" >/dev/null 2>&1 || PY=python3

# What Qt's xcb platform plugin needs to open a real window on a desktop (./dev.sh app);
# offscreen (tests, demo) does without. Qt's error names xcb-cursor0 even when another is missing.
XCB_PKGS="xauth libxkbcommon-x11-0 libxcb-cursor0 libxcb-icccm4 libxcb-image0 libxcb-keysyms1 libxcb-randr0
  libxcb-render-util0 libxcb-shape0 libxcb-xinerama0 libxcb-xkb1"

setup_apt() {
  local pkgs="libegl1 libgl1 libxkbcommon0 libfontconfig1 libglib2.0-0 libdbus-1-3 fonts-wqy-microhei ${1:-}"
  local missing=""
  for p in $pkgs; do dpkg -s "$p" >/dev/null 2>&1 || missing="$missing $p"; done
  [ -z "$missing" ] && return 0
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "dev.sh: installing Debian packages:$missing" >&2
    apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing >/dev/null
  else
    echo "dev.sh: missing Debian packages (install them as root):$missing" >&2
  fi
}

setup_venv() {
  [ -x .venv/bin/python ] || "$PY" -m venv .venv
  local stamp=.venv/.requirements.sha
  local want; want=$(sha256sum requirements.txt | cut -d' ' -f1)
  if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
    .venv/bin/python -m pip install -q --upgrade pip >/dev/null
    .venv/bin/python -m pip install -q "torch==2.13.0"
    .venv/bin/python -m pip install -q -r requirements.txt
    echo "$want" > "$stamp"
  fi
}

cmd=${1:-demo}
shift || true
if [ "$cmd" = app ]; then setup_apt "$XCB_PKGS"; else setup_apt; fi
setup_venv
case "$cmd" in
  demo)
    mkdir -p out
    exec .venv/bin/python main.py analyze resources/samples/taobao_export.xlsx -o out/sample_report.xlsx \
      --results out/sample_results.csv "$@" ;;
  test)
    export QT_QPA_PLATFORM=offscreen
    exec .venv/bin/python -m pytest -q -p no:cacheprovider tests "$@" ;;
  app)
    exec .venv/bin/python main.py "$@" ;;
  *)
    echo "usage: ./dev.sh demo|test|app" >&2; exit 2 ;;
esac
