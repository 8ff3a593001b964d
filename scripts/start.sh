#!/usr/bin/env bash
# Install Lambda Workbench and start the desktop app. Environments run in Docker when an
# engine is reachable (the runtime image is built on first use), else as local processes.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install.sh
if docker info >/dev/null 2>&1; then
  .venv/bin/lambda-workbench image build || echo "start.sh: no runtime image; using local processes" >&2
fi
exec .venv/bin/lambda-workbench "$@"
