#!/usr/bin/env bash
# Create .venv and install Lambda Workbench into it (with the test tools when given --test).
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON="${PYTHON:-python3}"
if ! "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
  echo "install.sh: Lambda Workbench needs Python 3.11 or newer (found: $("$PYTHON" --version 2>&1))" >&2
  exit 1
fi

# Qt needs a few system libraries even offscreen, and its xcb platform plugin (a real X
# desktop) needs the xcb ones too: without them the first start dies with "could not load the
# Qt platform plugin xcb". Install them when we can (root + apt). --test adds Xvfb, xdotool
# and ImageMagick for the end-to-end test that drives the app on a real X server.
QT_LIBS="libgl1 libegl1 libxkbcommon0 libfontconfig1 libdbus-1-3 libglib2.0-0"
XCB_LIBS="libxcb1 libx11-xcb1 libxcb-cursor0 libxcb-icccm4 libxcb-image0 libxcb-keysyms1
  libxcb-randr0 libxcb-render0 libxcb-render-util0 libxcb-shape0 libxcb-shm0 libxcb-sync1
  libxcb-xfixes0 libxcb-xinerama0 libxcb-xkb1 libxcb-util1 libxkbcommon-x11-0 libsm6 libice6"
TEST_TOOLS="xvfb xdotool imagemagick x11-utils"
if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
  wanted="$QT_LIBS $XCB_LIBS"
  [ "${1:-}" = "--test" ] && wanted="$wanted $TEST_TOOLS"
  missing=""
  for lib in $wanted; do
    dpkg -s "$lib" >/dev/null 2>&1 || missing="$missing $lib"
  done
  if [ -n "$missing" ]; then
    echo "install.sh: installing Qt's system libraries:$missing"
    DEBIAN_FRONTEND=noninteractive apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing >/dev/null
  fi
elif command -v dpkg >/dev/null 2>&1; then
  missing=""
  for lib in $QT_LIBS $XCB_LIBS; do
    dpkg -s "$lib" >/dev/null 2>&1 || missing="$missing $lib"
  done
  if [ -n "$missing" ]; then
    echo "install.sh: the desktop app needs Qt's system libraries; as root run:" >&2
    echo "  apt-get install$missing" >&2
  fi
fi

[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
.venv/bin/python -m pip install -q --disable-pip-version-check --upgrade pip
if [ "${1:-}" = "--test" ]; then
  .venv/bin/python -m pip install -q --disable-pip-version-check -e '.[test]'
else
  .venv/bin/python -m pip install -q --disable-pip-version-check -e .
fi
# pip compiles what it installs, but not an editable project's own sources: compile them now,
# so that every start (the CLI's, the app's) reads bytecode even where PYTHONDONTWRITEBYTECODE
# stops Python from writing it on first import.
.venv/bin/python -m compileall -q workbench >/dev/null
