#!/usr/bin/env bash
# Install everything and run the whole test suite: lint, unit, engine, Docker, integration, UI.
# On a fresh Linux machine (as root) this also installs and starts a Docker engine and builds
# the runtime image locally, so the Docker tests run rather than skip.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install.sh --test

# Docker: an engine and the runtime image are part of the test set-up.
if bash scripts/setup-docker.sh; then
  .venv/bin/lambda-workbench image build
  # The Node.js (Debian's 18, and this machine's node if another) and custom-runtime images.
  .venv/bin/lambda-workbench image build --runtime nodejs18.x
  .venv/bin/lambda-workbench image build --runtime provided.al2023
  if command -v node >/dev/null; then
    major="$(node --version | sed 's/^v\([0-9]*\).*/\1/')"
    [ "$major" = 18 ] || .venv/bin/lambda-workbench image build --runtime "nodejs${major}.x" || true
  fi
else
  echo "test.sh: no Docker engine could be had; Docker tests will be skipped" >&2
fi

export QT_QPA_PLATFORM=offscreen
.venv/bin/ruff check .
.venv/bin/mypy --strict workbench/core

# The Qt tests run in a process of their own: Qt objects they leave behind must not be able to
# take the engine tests down with them. Exit status 5 ("no tests selected", e.g. with -k) is fine.
run_pytest() {
  local status=0
  .venv/bin/python -m pytest "$@" || status=$?
  [ "$status" -eq 0 ] || [ "$status" -eq 5 ]
}
run_pytest -p no:pytestqt --ignore=tests/ui "$@"
run_pytest tests/ui "$@"
