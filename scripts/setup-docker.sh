#!/usr/bin/env bash
# Make a Docker engine reachable for Lambda Workbench (idempotent; does not need systemd).
#
#   scripts/setup-docker.sh            # as root: installs docker.io + mmdebstrap if missing
#   DOCKERD_ARGS="--iptables=false" scripts/setup-docker.sh   # extra dockerd flags
#
# Exit status 0 means `docker info` works when the script ends.
set -euo pipefail

STATE_DIR="${XDG_STATE_HOME:-$HOME/.local/state}/lambda-workbench"
LOG_FILE="$STATE_DIR/dockerd.log"
WAIT_SECONDS="${DOCKER_WAIT_SECONDS:-60}"
DOCKER_PIDFILE="${DOCKER_PIDFILE:-/var/run/docker.pid}"
APT_UPDATED=0

say() { printf 'setup-docker: %s\n' "$*"; }
fail() { printf 'setup-docker: error: %s\n' "$*" >&2; exit 1; }
have() { command -v "$1" >/dev/null 2>&1; }
is_root() { [ "$(id -u)" -eq 0 ]; }
can_apt() { is_root && have apt-get; }
engine_ok() { have docker && docker info >/dev/null 2>&1; }

# Run a command quietly; on failure show its output and return its status.
quietly() {
  local out status=0
  out="$("$@" 2>&1)" || status=$?
  if [ "$status" -ne 0 ]; then
    printf '%s\n' "$out" >&2
  fi
  return "$status"
}

apt_install() {
  if [ "$APT_UPDATED" -eq 0 ]; then
    say "apt-get update…"
    quietly env DEBIAN_FRONTEND=noninteractive apt-get update -qq
    APT_UPDATED=1
  fi
  say "apt-get install $*…"
  quietly env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@"
}

install_hint() {
  cat >&2 <<'EOF'
setup-docker: error: Docker is not installed and cannot be installed automatically
  (that needs root and apt-get). Install it yourself, then rerun this script:
    Debian/Ubuntu:  sudo apt-get install docker.io      (then: sudo scripts/setup-docker.sh)
    Fedora:         sudo dnf install moby-engine && sudo systemctl start docker
    Other systems:  https://docs.docker.com/engine/install/
  Without Docker, Lambda Workbench still runs with: --backend process
EOF
  exit 1
}

server_version() { docker version --format '{{.Server.Version}}' 2>/dev/null || echo unknown; }

# mmdebstrap builds the runtime image without a container registry.
ensure_mmdebstrap() {
  if have mmdebstrap; then
    return 0
  fi
  if can_apt; then
    apt_install mmdebstrap || say "warning: could not install mmdebstrap; image builds will need a registry"
  else
    say "note: mmdebstrap is not installed; building the runtime image without a registry needs it"
    say "      (as root: apt-get install mmdebstrap)"
  fi
}

dockerd_running() {
  local pid
  [ -r "$DOCKER_PIDFILE" ] || return 1
  pid="$(cat "$DOCKER_PIDFILE" 2>/dev/null)" || return 1
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null
}

ensure_mmdebstrap

if engine_ok; then
  say "Docker engine already reachable (server $(server_version))."
  exit 0
fi

if ! have dockerd || ! have docker; then
  if can_apt; then
    apt_install docker.io || fail "installing docker.io with apt-get failed (see above)"
  else
    install_hint
  fi
  have dockerd || fail "docker.io was installed but dockerd is not on PATH"
fi

if dockerd_running; then
  say "dockerd is already running (pid $(cat "$DOCKER_PIDFILE")); waiting for it to answer"
  DOCKERD_PID=""
else
  if ! is_root; then
    fail "dockerd is installed but not running, and starting it needs root: sudo $0"
  fi
  mkdir -p "$STATE_DIR"
  say "Starting dockerd (log: $LOG_FILE)…"
  # shellcheck disable=SC2086  # DOCKERD_ARGS is a list of flags
  nohup dockerd ${DOCKERD_ARGS:-} >>"$LOG_FILE" 2>&1 </dev/null &
  DOCKERD_PID=$!
fi

printf 'setup-docker: waiting for the engine'
for _ in $(seq 1 "$WAIT_SECONDS"); do
  if engine_ok; then
    printf ' ok\n'
    say "Docker engine ready (server $(server_version))."
    exit 0
  fi
  if [ -n "$DOCKERD_PID" ] && ! kill -0 "$DOCKERD_PID" 2>/dev/null; then
    printf '\n'
    say "dockerd exited; last lines of $LOG_FILE:" >&2
    tail -n 30 "$LOG_FILE" >&2 || true
    fail "dockerd did not start (see the log above)"
  fi
  printf '.'
  sleep 1
done
printf '\n'
if [ -f "$LOG_FILE" ]; then
  say "last lines of $LOG_FILE:" >&2
  tail -n 30 "$LOG_FILE" >&2 || true
fi
fail "the Docker engine did not answer within ${WAIT_SECONDS} s"
