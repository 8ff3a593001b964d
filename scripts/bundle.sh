#!/usr/bin/env bash
# Write an offline bundle of Lambda Workbench: a folder to copy to a USB stick that installs
# and runs on a machine with no network (same OS family and CPU architecture, Python 3.11+).
#
#   bash scripts/bundle.sh [OUT_DIR] [--no-images] [--images "IMAGE …"]
#
# OUT_DIR (default dist/lambda-workbench-offline) receives:
#   wheelhouse/   the workbench's wheel and every dependency's wheel (pip wheel)
#   images/       runtime images as tarballs (docker save), when an engine is reachable
#   lessons/      the course, to read or to copy as the start of an instructor's pack
#   install.sh    the offline installer (pip --no-index from wheelhouse/, docker load)
#   README.txt    how to use it
# Build it on a machine with network access and the images already built
# (`lambda-workbench image build`); the target needs neither.
set -euo pipefail
cd "$(dirname "$0")/.."

OUT="dist/lambda-workbench-offline"
WITH_IMAGES=1
IMAGES="lambda-workbench/python:3.11 lambda-workbench/nodejs:20 lambda-workbench/provided:al2023"
while [ $# -gt 0 ]; do
  case "$1" in
    --no-images) WITH_IMAGES=0 ;;
    --images) shift; IMAGES="$1" ;;
    -h|--help) sed -n '2,16p' "$0"; exit 0 ;;
    -*) echo "bundle.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
    *) OUT="$1" ;;
  esac
  shift
done
PYTHON="${PYTHON:-python3}"
if ! "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
  echo "bundle.sh: needs Python 3.11 or newer as \$PYTHON (found: $("$PYTHON" --version 2>&1))" >&2
  exit 1
fi

rm -rf "$OUT"
mkdir -p "$OUT/wheelhouse" "$OUT/images"
PIP_PYTHON="$PYTHON"
if ! "$PYTHON" -m pip --version >/dev/null 2>&1; then  # e.g. a virtualenv made by uv
  TOOLS="$(mktemp -d)"
  trap 'rm -rf "$TOOLS"' EXIT
  "$PYTHON" -m venv "$TOOLS/venv"
  PIP_PYTHON="$TOOLS/venv/bin/python"
fi
echo "bundle.sh: wheels for lambda-workbench and its dependencies → $OUT/wheelhouse"
"$PIP_PYTHON" -m pip wheel -q --disable-pip-version-check --wheel-dir "$OUT/wheelhouse" .
cp -r lessons "$OUT/lessons"
find "$OUT/lessons" -name __pycache__ -prune -exec rm -rf {} +

saved=""
if [ "$WITH_IMAGES" = 1 ]; then
  if command -v docker >/dev/null 2>&1 && docker info >/dev/null 2>&1; then
    for image in $IMAGES; do
      if docker image inspect "$image" >/dev/null 2>&1; then
        file="$OUT/images/$(echo "$image" | tr '/:' '__').tar"
        echo "bundle.sh: docker save $image → $file"
        docker save -o "$file" "$image"
        saved="$saved $image"
      else
        echo "bundle.sh: $image is not built here (lambda-workbench image build); skipped" >&2
      fi
    done
  else
    echo "bundle.sh: no Docker engine answers; the bundle has no images (processes only)" >&2
  fi
fi

cat > "$OUT/install.sh" <<'INSTALL'
#!/usr/bin/env bash
# Install Lambda Workbench from this folder, without network: bash install.sh [VENV_DIR]
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
VENV="${1:-$HOME/lambda-workbench}"
PYTHON="${PYTHON:-python3}"
"$PYTHON" -m venv "$VENV"
"$VENV/bin/python" -m pip install -q --disable-pip-version-check --no-index \
  --find-links "$HERE/wheelhouse" lambda-workbench
if ls "$HERE"/images/*.tar >/dev/null 2>&1; then
  if command -v docker >/dev/null 2>&1 && docker info >/dev/null 2>&1; then
    for tarball in "$HERE"/images/*.tar; do docker load -q -i "$tarball"; done
  else
    echo "install.sh: no Docker engine; functions will run as local processes" >&2
  fi
fi
echo "installed: $VENV/bin/lambda-workbench (try: $VENV/bin/lambda-workbench lessons list)"
INSTALL
chmod +x "$OUT/install.sh"

cat > "$OUT/README.txt" <<README
Lambda Workbench, offline bundle (made $(date -u +%Y-%m-%d) from $(git rev-parse --short HEAD 2>/dev/null || echo "a source tree")).

On the target machine (Linux, $(uname -m), Python 3.11 or newer; no network needed):

    bash install.sh                 # into ~/lambda-workbench (or: bash install.sh DIR)
    ~/lambda-workbench/bin/lambda-workbench            # the app
    ~/lambda-workbench/bin/lambda-workbench lessons list

Runtime images included:${saved:- none (functions run as local processes)}
The course is in lessons/ too: copy it to start an instructor's pack, and check a pack with
lambda-workbench lessons check DIR.
README
echo "bundle.sh: done: $OUT ($(du -sh "$OUT" | cut -f1))"
