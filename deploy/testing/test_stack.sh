#!/usr/bin/env bash
# `make deploy-test`: the compose stack of deploy/compose.yaml, for real, on this machine.
#  1. a Docker engine: the one DOCKER_HOST points to, or a private dockerd started here (root)
#  2. base images from Debian packages (deploy/testing/base-images.sh), wheels for an offline build
#  3. the image built from deploy/Containerfile (WHEELS=deploy/.wheels), secrets generated
#  4. the stack up with two web replicas behind Caddy (TLS from Caddy's internal CA)
#  5. checks from outside (stack_check.py): /readyz, HSTS, redirect, hashed CSS with long caching,
#     500 messages across two replicas over wss:// with one replica SIGKILLed mid-stream
#  6. a risk answer's e-mail delivered by the worker (EMAIL_URL=file:///data/mail)
#  7. a backup from the backup service restored into a fresh database: every message decrypts with
#     the same keys, verify_audit passes; with another ENCRYPTION_KEYS / AUDIT_HMAC_KEY it fails
# KEEP=1 leaves the stack running (and reuses it next time); the stack is removed otherwise.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
HERE="$ROOT/deploy/testing"
WORK="${STACK_DIR:-/tmp/paceway-stack}"
PROJECT=paceway-stacktest
HTTP_PORT="${STACK_HTTP_PORT:-18080}"
HTTPS_PORT="${STACK_HTTPS_PORT:-18443}"
SITE=paceway.test
PY="$ROOT/.venv/bin/python"
export DEBIAN_FRONTEND=noninteractive
# step, die, wait_for, apt_install; the settings and the checks shared with test_podman.sh.
# shellcheck source=deploy/testing/stack_lib.sh
source "$HERE/stack_lib.sh"
ENGINE=docker
service_ids() { dc ps -q "$1"; }

# One run at a time on a machine: the project name, the ports and $WORK are fixed.
exec 9>/run/lock/paceway-deploy-test.lock
flock -n 9 || die "another make deploy-test is running on this machine (lock /run/lock/paceway-deploy-test.lock)"

[ "$(id -u)" = 0 ] || die "make deploy-test needs root (a private dockerd, debootstrap, chroot)"
[ -x "$PY" ] || die "$PY not found: run make install first"

# Everything this run starts is stopped on the way out, whatever happened: the stand-in build in
# the background, the stack (containers, networks, volumes) and the dockerd it started itself.
started_dockerd=""
standins_pid=""
stack_up=0
cleanup() {
  local status=$?
  trap - EXIT INT TERM
  set +e
  [ "$status" = 0 ] || echo "== [$(( SECONDS - started ))s] FAILED during: $current (exit $status)" >&2
  [ -n "$standins_pid" ] && kill "$standins_pid" 2>/dev/null && wait "$standins_pid" 2>/dev/null
  if [ "$stack_up" = 1 ]; then
    if [ "$status" != 0 ]; then
      echo "---- last logs (web, worker, beat, migrate, caddy) ----"
      timeout 60 "${DC[@]}" -p "$PROJECT" --env-file "$WORK/stack.env" -f "$ROOT/deploy/compose.yaml" \
        logs --no-color --tail 25 web worker beat migrate caddy 2>&1 | tail -120
    fi
    if [ "${KEEP:-0}" = 1 ]; then
      echo "stack left running (KEEP=1): ${DC[*]} -p $PROJECT --env-file $WORK/stack.env -f deploy/compose.yaml ..."
    else
      timeout 180 "${DC[@]}" -p "$PROJECT" --env-file "$WORK/stack.env" -f "$ROOT/deploy/compose.yaml" \
        down -v --remove-orphans -t 5 >/dev/null 2>&1 || echo "warning: compose down failed" >&2
      left="$(docker ps -aq --filter "label=com.docker.compose.project=$PROJECT" 2>/dev/null)"
      [ -z "$left" ] || docker rm -f $left >/dev/null 2>&1
      left="$(docker network ls -q --filter "label=com.docker.compose.project=$PROJECT" 2>/dev/null)"
      [ -z "$left" ] || docker network rm $left >/dev/null 2>&1
    fi
  fi
  if [ -n "$started_dockerd" ] && [ "${KEEP:-0}" != 1 ]; then
    kill -TERM "$started_dockerd" 2>/dev/null
    deadline=$(( SECONDS + 60 ))
    while kill -0 "$started_dockerd" 2>/dev/null && (( SECONDS < deadline )); do sleep 1; done
    if kill -0 "$started_dockerd" 2>/dev/null; then
      echo "warning: dockerd $started_dockerd did not stop within 60 s; killing it" >&2
      kill -KILL "$started_dockerd" 2>/dev/null
    fi
    echo "stopped the private dockerd this run started (pid $started_dockerd)"
  fi
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# 1. Docker --------------------------------------------------------------------------------------
step "container engine"
# What a clean Debian machine lacks, in one apt-get run.
missing=()
command -v dockerd >/dev/null || missing+=(docker.io)
command -v docker-compose >/dev/null || { command -v docker >/dev/null && docker compose version >/dev/null 2>&1; } \
  || missing+=(docker-compose)
command -v debootstrap >/dev/null || missing+=(debootstrap)
[ "${#missing[@]}" = 0 ] || { step "apt-get install ${missing[*]}"; apt_install "${missing[@]}"; hash -r; }
command -v docker >/dev/null || die "no docker client on PATH (Debian: apt-get install docker.io)"
if ! docker info >/dev/null 2>&1; then
  export DOCKER_HOST="${DOCKER_HOST:-unix:///run/docker-paceway/docker.sock}"
  if ! docker info >/dev/null 2>&1; then
    step "starting a private dockerd (data in /var/lib/docker-paceway, socket ${DOCKER_HOST#unix://})"
    mkdir -p /var/lib/docker-paceway /run/docker-paceway
    # Its own session (setsid): a Ctrl-C or CI timeout reaches this script, whose clean-up then
    # removes the stack before stopping the engine, instead of the engine dying first.
    setsid dockerd --data-root /var/lib/docker-paceway --exec-root /run/docker-paceway \
      --pidfile /run/docker-paceway/dockerd.pid -H "$DOCKER_HOST" \
      > /var/log/dockerd-paceway.log 2>&1 9>&- < /dev/null &
    started_dockerd=$!
    if ! wait_for 120 "dockerd answering on $DOCKER_HOST" docker info >/dev/null 2>&1; then
      tail -20 /var/log/dockerd-paceway.log; die "dockerd did not start (log: /var/log/dockerd-paceway.log)"
    fi
  fi
fi
if docker compose version >/dev/null 2>&1; then DC=(docker compose); else DC=(docker-compose); fi
dc() { "${DC[@]}" -p "$PROJECT" --env-file "$WORK/stack.env" -f "$ROOT/deploy/compose.yaml" "$@"; }
echo "     engine: $(docker version -f 'Docker {{.Server.Version}}' 2>/dev/null) ($(docker info -f '{{.Driver}}')), client $(docker version -f '{{.Client.Version}}' 2>/dev/null), compose: ${DC[*]}"

# 2. Base images and wheels ----------------------------------------------------------------------
step "base image python:3.11-slim-bookworm from Debian packages (debootstrap)"
bash "$HERE/base-images.sh" base
# The stand-ins (postgres, redis, caddy) are only needed at `up`: built while the image builds.
standins_log="$(mktemp /tmp/paceway-standins.XXXXXX.log)"
bash "$HERE/base-images.sh" standins > "$standins_log" 2>&1 9>&- &
standins_pid=$!
step "wheels for an offline build (deploy/.wheels)"
download_wheels

# 3. Image and configuration ---------------------------------------------------------------------
step "docker build -f deploy/Containerfile --build-arg WHEELS=deploy/.wheels"
build_log="$(mktemp /tmp/paceway-build.XXXXXX.log)"
docker build -f "$ROOT/deploy/Containerfile" --build-arg WHEELS=deploy/.wheels \
  --build-arg REVISION="$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)" \
  -t paceway:stacktest "$ROOT" > "$build_log" 2>&1 \
  || { tail -30 "$build_log"; die "docker build of deploy/Containerfile (log: $build_log)"; }
rm -f "$build_log"
step "stand-in images (postgres, redis, caddy) from Debian packages"
if ! wait "$standins_pid"; then
  standins_pid=""; cat "$standins_log"; die "building the stand-in images (deploy/testing/base-images.sh standins)"
fi
standins_pid=""
sed 's/^/     /' "$standins_log"; rm -f "$standins_log"

prepare_workdir --remove-orphans


# 4. Up --------------------------------------------------------------------------------------------
step "compose up --scale web=2 (migrate first; web, worker and beat wait for it)"
stack_up=1
dc up -d --scale web=2 2>&1 | grep -v "^$" | sed 's/^/     /'
[ "${PIPESTATUS[0]}" = 0 ] || die "compose up"
migrate_id="$(dc ps -a -q migrate)"
[ "$(docker inspect -f '{{.State.ExitCode}}' "$migrate_id")" = 0 ] || { dc logs migrate | tail -30; die "migrate did not exit 0"; }
step "waiting for both web replicas to be healthy (Docker's HEALTHCHECK on /healthz)"
web_healthy() {
  local id n=0
  for id in $(dc ps -q web); do
    [ "$(docker inspect -f '{{.State.Health.Status}}' "$id")" = healthy ] && n=$((n + 1))
  done
  [ "$n" = 2 ]
}
wait_for 240 "two healthy web replicas" web_healthy
find_replicas

# 5-7. Checks from outside, the risk e-mail, backup and restore (stack_lib.sh) ----------------
check_from_outside
check_risk_email
check_backup_restore

step "deploy-test passed"
