#!/usr/bin/env bash
# `make podman-test`: the compose stack of deploy/compose.yaml under Podman instead of Docker (issue 17).
#  1. podman and runc from Debian (4.3.1 on Debian 12), podman-compose 1.6.0 in .venv-podman (hashed
#     lock); CONTAINERS_CONF=deploy/testing/containers.conf (runc, cgroupfs, no systemd)
#  2. base and stand-in images from Debian packages into podman's store (base-images.sh, ENGINE=podman)
#  3. the image built with `podman build --format docker` (the Docker format keeps HEALTHCHECK)
#  4. wait_for.py alone (no database): unhealthy while it waits, exit 1 naming WAIT_SECONDS;
#     then the stack up service by service with `podman-compose up -d --no-deps`: postgres and redis,
#     then migrate, and at once web (two replicas), worker and beat, which wait for the migrations
#     themselves (deploy/wait_for.py; podman-compose ignores depends_on conditions), then caddy
#  5. the checks of test_stack.sh (stack_lib.sh): /readyz and HSTS through Caddy's TLS, the hashed
#     stylesheet with far-future caching, the first administrator, messages over wss:// across the
#     two replicas with one SIGKILLed; then the risk e-mail and backup/restore
# Podman 4.3 runs health checks from systemd timers, absent here: this script runs them itself
# (`podman healthcheck run`). Not part of .ci/run. KEEP=1 leaves the stack running.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
HERE="$ROOT/deploy/testing"
WORK="${STACK_DIR:-/tmp/paceway-podman-stack}"
PROJECT=paceway-podtest
HTTP_PORT="${STACK_HTTP_PORT:-18081}"
HTTPS_PORT="${STACK_HTTPS_PORT:-18444}"
SITE=paceway.test
PY="$ROOT/.venv/bin/python"
PODMAN_VENV="$ROOT/.venv-podman"
export DEBIAN_FRONTEND=noninteractive
# runc, not crun (crun refuses this host's hybrid cgroups), no systemd: see containers.conf.
export CONTAINERS_CONF="${CONTAINERS_CONF:-$HERE/containers.conf}"
# shellcheck source=deploy/testing/stack_lib.sh
source "$HERE/stack_lib.sh"
ENGINE=podman
dc() { "$PODMAN_VENV/bin/podman-compose" -p "$PROJECT" --env-file "$WORK/stack.env" -f "$ROOT/deploy/compose.yaml" "$@"; }
service_ids() {
  podman ps -q --filter "label=io.podman.compose.project=$PROJECT" --filter "label=io.podman.compose.service=$1"
}
# up ARGS...: podman-compose up -d --no-deps; without systemd, podman logs an error per health check
# timer it cannot create (harmless: this script runs the checks).
up() {
  dc up -d --no-deps "$@" 2>&1 | grep -v -e '^$' -e 'systemd connection' | sed 's/^/     /'
  [ "${PIPESTATUS[0]}" = 0 ] || die "podman-compose up $*"
}
# healthy SERVICE COUNT: COUNT running containers of SERVICE pass their health check, run now.
healthy() {
  local id n=0
  for id in $(service_ids "$1"); do podman healthcheck run "$id" >/dev/null 2>&1 && n=$((n + 1)); done
  [ "$n" = "$2" ]
}

# One run at a time on a machine: shares the Debian root filesystems with make deploy-test.
exec 9>/run/lock/paceway-deploy-test.lock
flock -n 9 || die "make deploy-test or make podman-test is running on this machine (lock /run/lock/paceway-deploy-test.lock)"
[ "$(id -u)" = 0 ] || die "make podman-test needs root (rootful podman, debootstrap, chroot)"
[ -x "$PY" ] || die "$PY not found: run make install first"

stack_up=0
standins_pid=""
lone=""
cleanup() {
  local status=$?
  trap - EXIT INT TERM
  set +e
  [ "$status" = 0 ] || echo "== [$(( SECONDS - started ))s] FAILED during: $current (exit $status)" >&2
  [ -n "$standins_pid" ] && kill "$standins_pid" 2>/dev/null && wait "$standins_pid" 2>/dev/null
  [ -n "$lone" ] && podman rm -f "$lone" >/dev/null 2>&1
  if [ "$stack_up" = 1 ]; then
    if [ "$status" != 0 ]; then
      echo "---- last logs (web, worker, beat, migrate, caddy) ----"
      for service in web worker beat migrate caddy; do
        for id in $(podman ps -aq --filter "label=io.podman.compose.project=$PROJECT" \
            --filter "label=io.podman.compose.service=$service"); do
          echo "-- $service $id"; podman logs --tail 15 "$id" 2>&1
        done
      done | tail -120
    fi
    if [ "${KEEP:-0}" = 1 ]; then
      echo "stack left running (KEEP=1): $PODMAN_VENV/bin/podman-compose -p $PROJECT --env-file $WORK/stack.env -f deploy/compose.yaml ..."
    else
      timeout 180 "$PODMAN_VENV/bin/podman-compose" -p "$PROJECT" --env-file "$WORK/stack.env" \
        -f "$ROOT/deploy/compose.yaml" down -v -t 5 >/dev/null 2>&1 || echo "warning: podman-compose down failed" >&2
      left="$(podman ps -aq --filter "label=io.podman.compose.project=$PROJECT" 2>/dev/null)"
      [ -z "$left" ] || podman rm -f $left >/dev/null 2>&1
      left="$(podman volume ls -q --filter "label=io.podman.compose.project=$PROJECT" 2>/dev/null)"
      [ -z "$left" ] || podman volume rm -f $left >/dev/null 2>&1
      left="$(podman network ls -q --filter "label=io.podman.compose.project=$PROJECT" 2>/dev/null)"
      [ -z "$left" ] || podman network rm -f $left >/dev/null 2>&1
    fi
  fi
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# 1. Podman and podman-compose -------------------------------------------------------------------
step "podman (Debian) and podman-compose (.venv-podman, deploy/testing/requirements-podman.lock)"
missing=()
command -v podman >/dev/null || missing+=(podman)
command -v runc >/dev/null || missing+=(runc)
command -v debootstrap >/dev/null || missing+=(debootstrap)
[ "${#missing[@]}" = 0 ] || { step "apt-get install ${missing[*]}"; apt_install "${missing[@]}"; hash -r; }
if [ ! -x "$PODMAN_VENV/bin/podman-compose" ]; then
  python3.11 -m venv "$PODMAN_VENV"
  PIP_CONFIG_FILE=/dev/null "$PODMAN_VENV/bin/pip" install -q --require-hashes -r "$HERE/requirements-podman.lock" \
    || die "pip install of deploy/testing/requirements-podman.lock"
fi
echo "     $(podman --version) ($(podman info -f '{{.Store.GraphDriverName}}, {{.Host.NetworkBackend}}, {{.Host.OCIRuntime.Name}}')), $("$PODMAN_VENV/bin/podman-compose" --version 2>/dev/null | head -1)"

# 2. Base images and wheels ----------------------------------------------------------------------
step "base image python:3.11-slim-bookworm from Debian packages (debootstrap), into podman's store"
ENGINE=podman bash "$HERE/base-images.sh" base
standins_log="$(mktemp /tmp/paceway-standins.XXXXXX.log)"
ENGINE=podman bash "$HERE/base-images.sh" standins > "$standins_log" 2>&1 9>&- &
standins_pid=$!
step "wheels for an offline build (deploy/.wheels)"
download_wheels

# 3. Image and configuration ---------------------------------------------------------------------
step "podman build --format docker -f deploy/Containerfile --build-arg WHEELS=deploy/.wheels"
build_log="$(mktemp /tmp/paceway-podman-build.XXXXXX.log)"
podman build --format docker -f "$ROOT/deploy/Containerfile" --build-arg WHEELS=deploy/.wheels \
  --build-arg REVISION="$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)" \
  -t paceway:stacktest "$ROOT" > "$build_log" 2>&1 \
  || { tail -30 "$build_log"; die "podman build of deploy/Containerfile (log: $build_log)"; }
rm -f "$build_log"
[ "$(podman image inspect -f '{{.Config.Healthcheck.Test}}' paceway:stacktest)" != "[]" ] \
  || die "the image lost its HEALTHCHECK (podman build without --format docker?)"
step "stand-in images (postgres, redis, caddy) from Debian packages"
if ! wait "$standins_pid"; then
  standins_pid=""; cat "$standins_log"; die "building the stand-in images (base-images.sh standins, ENGINE=podman)"
fi
standins_pid=""
sed 's/^/     /' "$standins_log"; rm -f "$standins_log"

prepare_workdir -t 5

step "wait_for.py in the image, no database: unhealthy while it waits, then exit 1 naming WAIT_SECONDS"
lone="$(podman run -d --env-file "$WORK/stack.env" --env-file "$WORK/secrets.env" -e WAIT_SECONDS=15 \
  -e DATABASE_URL=postgres://paceway:none@127.0.0.1:9/paceway -e REDIS_URL=redis://127.0.0.1:9/0 \
  paceway:stacktest web 2>/dev/null)" || die "podman run of a lone web container"
lone_waiting() { podman logs "$lone" 2>&1 | grep -q '^wait_for: database not reachable'; }
wait_for 60 "the lone web container waiting (wait_for.py)" lone_waiting
! podman healthcheck run "$lone" >/dev/null 2>&1 || die "the health check passed while web waited for migrations"
lone_status="$(timeout 120 podman wait "$lone")" || die "the lone web container did not stop after WAIT_SECONDS=15"
lone_error="$(podman logs "$lone" 2>&1 | grep 'WAIT_SECONDS=15' | tail -1)"
podman rm -f "$lone" >/dev/null 2>&1; lone=""
{ [ "$lone_status" = 1 ] && [ -n "$lone_error" ]; } || die "the lone web container exited $lone_status: $lone_error"
echo "ok   unhealthy while waiting; exit 1 after the deadline: ${lone_error:0:150}"

# 4. Up, service by service ------------------------------------------------------------------------
stack_up=1
step "podman-compose up --no-deps: postgres, redis"
up postgres redis
wait_for 120 "postgres healthy" healthy postgres 1
wait_for 60 "redis healthy" healthy redis 1
step "migrate, and at once web (two replicas), worker and beat: they wait for the migrations (wait_for.py)"
up migrate
up --scale web=2 web
up worker beat
step "waiting for migrate to exit 0, then for both web replicas to pass their health check"
migrate_id="$(podman ps -aq --filter "label=io.podman.compose.project=$PROJECT" --filter "label=io.podman.compose.service=migrate")"
migrate_status="$(timeout 300 podman wait "$migrate_id")" || die "migrate did not exit within 300 s"
[ "$migrate_status" = 0 ] || { podman logs --tail 30 "$migrate_id"; die "migrate exited $migrate_status"; }
waited="$(podman logs "$(service_ids web | head -1)" 2>&1 | grep -c '^wait_for:' || true)"
echo "     migrate exited 0; the first web replica logged $waited wait_for line(s)"
wait_for 240 "two healthy web replicas" healthy web 2
up backup caddy
find_replicas

# 5-7. The checks of test_stack.sh ---------------------------------------------------------------
check_from_outside
check_risk_email
check_backup_restore

step "podman-test passed"
