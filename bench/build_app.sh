#!/usr/bin/env bash
# Build the ReviewLens desktop app (PyInstaller onedir) into dist/ReviewLens (work files in build/).
#   bench/build_app.sh                       inference build (no torch), models/default
#   REVIEWLENS_BUILD_MODEL=DIR bench/build_app.sh      ship another model folder as the default
#   REVIEWLENS_BUILD_FLAVOR=training bench/build_app.sh  with torch: full retraining works (+~900 MB)
# Prints the build time and the size of dist/ReviewLens. Both folders are git-ignored.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-.venv/bin/python}
start=$(date +%s)
"$PY" -m PyInstaller build.spec --noconfirm --clean --log-level WARN --distpath dist --workpath build
end=$(date +%s)
app=dist/ReviewLens
[ -d "$app" ] || { echo "build_app: $app was not produced" >&2; exit 1; }
echo "build_app: built $app in $((end - start)) s, $(du -sm "$app" | cut -f1) MB"
# The inference build must not carry torch & co.: fail loudly if a hook dragged them in.
if [ "${REVIEWLENS_BUILD_FLAVOR:-inference}" != training ]; then
  bad=$(find "$app" -maxdepth 3 \( -name 'torch' -o -name 'transformers' -o -name 'sympy' -o -name 'optimum' \
        -o -name 'libtorch*' \) | head -5)
  if [ -n "$bad" ]; then echo "build_app: training-only packages found in the build: $bad" >&2; exit 1; fi
fi
