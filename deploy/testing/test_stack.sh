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
started=$SECONDS
current="start"
step() { current="$*"; echo "== [$(( SECONDS - started ))s] $*"; }
die() { echo "FAIL $*" >&2; exit 1; }
# wait_for SECONDS WHAT COMMAND...: run COMMAND until it succeeds; fail after SECONDS (a deadline,
# so a slow, loaded machine waits longer per try but never gives up early).
wait_for() {
  local limit="$1" what="$2" deadline=$(( SECONDS + $1 )); shift 2
  until "$@"; do
    (( SECONDS < deadline )) || { echo "FAIL $what: not within ${limit} s" >&2; return 1; }
    sleep 1
  done
}
apt_install() {
  { apt-get update -qq && apt-get install -y -qq "$@" >/dev/null 2>&1; } \
    || die "apt-get install $* (this test needs Debian's $*; install them and run it again)"
}

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
PIP_CONFIG_FILE=/dev/null "$PY" -m pip download -q --require-hashes --only-binary=:all: --python-version 3.11 \
  --implementation cp --abi cp311 --platform manylinux_2_28_x86_64 --platform manylinux_2_17_x86_64 \
  --platform manylinux2014_x86_64 -r "$ROOT/requirements-runtime.lock" -d "$ROOT/deploy/.wheels" \
  || die "pip download of requirements-runtime.lock (PyPI must be reachable from this host)"

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

if [ "${KEEP:-0}" = 1 ] && [ -f "$WORK/stack.env" ]; then
  step "reusing $WORK (KEEP=1)"
else
  [ -f "$WORK/stack.env" ] && dc down -v --remove-orphans >/dev/null 2>&1 || true
  rm -rf "$WORK"; mkdir -p "$WORK/backups"
fi
if [ ! -f "$WORK/secrets.env" ]; then
  step "secrets: manage.py generate_secrets (as in deploy/README.md, step 4)"
  (umask 077; docker run --rm -e DEBUG=true paceway:stacktest manage generate_secrets > "$WORK/secrets.env") \
    || die "manage generate_secrets in the image"
  grep -q '^ENCRYPTION_KEYS=' "$WORK/secrets.env" || die "generate_secrets wrote no ENCRYPTION_KEYS"
fi
cat > "$WORK/stack.env" <<EOF
PACEWAY_ENV_FILE=$WORK/stack.env
PACEWAY_SECRETS_FILE=$WORK/secrets.env
PACEWAY_IMAGE=paceway:stacktest
CADDY_IMAGE=localhost/paceway-standin/caddy
POSTGRES_IMAGE=localhost/paceway-standin/postgres
REDIS_IMAGE=localhost/paceway-standin/redis
SITE_ADDRESS=$SITE
ACME_EMAIL=it@$SITE
CADDY_TLS=tls internal
WHEELS=
HTTP_PORT=127.0.0.1:$HTTP_PORT
HTTPS_PORT=127.0.0.1:$HTTPS_PORT
POSTGRES_PASSWORD=$(head -c 18 /dev/urandom | od -An -tx1 | tr -d ' \n')
BACKUP_DIR=$WORK/backups
BACKUP_INTERVAL_SECONDS=3600
ALLOWED_HOSTS=$SITE
SITE_URL=https://$SITE:$HTTPS_PORT
EMAIL_URL=file:///data/mail
DEFAULT_FROM_EMAIL=Paceway <no-reply@$SITE>
LOG_FORMAT=json
DAPHNE_ACCESS_LOG=true
EOF
[ -f "$WORK/stack.env.pw" ] && sed -i "s/^POSTGRES_PASSWORD=.*/POSTGRES_PASSWORD=$(cat "$WORK/stack.env.pw")/" "$WORK/stack.env"
grep '^POSTGRES_PASSWORD=' "$WORK/stack.env" | cut -d= -f2 > "$WORK/stack.env.pw"


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
caddy_root() { dc exec -T caddy cat /data/caddy/pki/authorities/local/root.crt > "$WORK/caddy-root.crt" 2>/dev/null; }
wait_for 120 "Caddy's internal CA root certificate" caddy_root
replicas="$(for id in $(dc ps -q web); do
  printf '"%s": "%s"\n' "$(docker inspect -f '{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}' "$id")" "$id"
done | paste -sd, | sed 's/^/{/; s/$/}/')"
echo "     web replicas: $replicas"

# 5. Checks from outside -------------------------------------------------------------------------
check=("$PY" "$HERE/stack_check.py" --site "https://$SITE:$HTTPS_PORT" --http-port "$HTTP_PORT" --ca "$WORK/caddy-root.crt")
step "proxy: /healthz, /readyz, HSTS, redirect"
# Caddy may not have picked both replicas up yet (dynamic upstreams, refreshed every 5 s).
proxy_ready() { "${check[@]}" --only proxy > "$WORK/proxy-check.log" 2>&1; }
wait_for 60 "/readyz all ok through Caddy" proxy_ready || { cat "$WORK/proxy-check.log"; exit 1; }
cat "$WORK/proxy-check.log"
step "static files: hashed stylesheet with far-future caching"
"${check[@]}" --only static
step "first administrator (deploy/README.md, step 6): manage create_first_admin, then its one-time link"
again=(); [ "${KEEP:-0}" = 1 ] && again=(--force-another)  # a reused stack has one already
out="$(dc run --rm --no-deps -T web manage create_first_admin --email "admin-$(date +%s)@$SITE" "${again[@]}" 2>&1)" \
  || { echo "$out" | tail -5; die "create_first_admin"; }
echo "$out" | grep -q 'otpauth://totp/' || die "create_first_admin printed no otpauth URI"
link="$(echo "$out" | grep -oE "https://$SITE:$HTTPS_PORT/[^ ]+" | head -1 | tr -d '\r')"
[ -n "$link" ] || die "create_first_admin printed no one-time link on https://$SITE:$HTTPS_PORT/"
# allauth moves the key from the URL into the session (a redirect), then shows the form.
page="$(curl -s -L --max-time 60 -c "$WORK/cookies" -b "$WORK/cookies" -w '\n%{http_code}' \
  --cacert "$WORK/caddy-root.crt" --resolve "$SITE:$HTTPS_PORT:127.0.0.1" "$link")" || true
code="$(echo "$page" | tail -1)"
{ [ "$code" = 200 ] && echo "$page" | grep -q 'name="password1"'; } \
  || die "the one-time link $link: HTTP $code, no password form"
echo "ok   administrator created without e-mail: otpauth URI printed; its one-time link opens the set-password form through Caddy"
step "accounts: a patient and their therapist, with a clinical note (manage.py shell in a web container)"
accounts="$(dc exec -T web python manage.py shell < "$HERE/stack_setup.py" | sed -n 's/^STACK_JSON //p')"
[ -n "$accounts" ] || die "stack_setup.py printed no accounts"
step "messages: ${STACK_MESSAGES:-500} over wss:// across two replicas, one replica SIGKILLed mid-stream"
"${check[@]}" --only messages --accounts "$accounts" --replicas "$replicas" --messages "${STACK_MESSAGES:-500}" \
  --kill-at "${STACK_KILL_AT:-200}"

# 6. Risk e-mail through the worker --------------------------------------------------------------
step "risk answer: the alert's e-mail is sent by the worker"
patient_id="$("$PY" -c 'import json,sys; print(json.loads(sys.argv[1])["patient_id"])' "$accounts")"
therapist_email="$("$PY" -c 'import json,sys; print(json.loads(sys.argv[1])["therapist_email"])' "$accounts")"
alert="$(dc exec -T -e PATIENT_ID="$patient_id" web python manage.py shell < "$HERE/stack_risk.py" | grep STACK_ALERT)" || true
case "$alert" in "STACK_ALERT "[0-9]*) echo "     $alert" ;; *) die "the risk answer raised no alert ($alert)" ;; esac
mail_file() { dc exec -T worker sh -c "grep -l 'To: $therapist_email' /data/mail/* 2>/dev/null" | head -1 | tr -d '\r' | grep .; }
wait_for 120 "the alert's e-mail to $therapist_email in /data/mail (EMAIL_URL=file:///data/mail)" mail_file >/dev/null \
  || { dc logs --tail 40 worker; exit 1; }
echo "ok   e-mail to $therapist_email written by the worker: $(mail_file)"

# 7. Backup and restore --------------------------------------------------------------------------
step "backup: the backup service's dump, restored into a fresh database (deploy/README.md, step 8)"
dc exec -T backup sh /usr/local/bin/backup_schedule.sh once || die "backup_schedule.sh once"
dump="$(ls -1t "$WORK"/backups/paceway-*.dump | head -1)"
echo "     newest dump: $dump ($(stat -c %s "$dump") bytes); dumps in the folder: $(ls "$WORK"/backups/*.dump | wc -l)"
pw="$(cat "$WORK/stack.env.pw")"
restored="postgres://paceway:$pw@postgres:5432/paceway_restored"
dc exec -T backup sh -c "dropdb --if-exists paceway_restored && createdb paceway_restored"
dc run --rm --no-deps -T -v "$ROOT/deploy/restore.sh:/restore.sh:ro" --entrypoint sh backup \
  /restore.sh "/backups/$(basename "$dump")" "$restored" || die "deploy/restore.sh"
# The checks run in the live web container (docker exec: no new container per check), pointed at
# the restored database; the running site keeps its own database.
on_restored() { dc exec -T -e DATABASE_URL="$restored" "$@"; }
expect="$("$PY" -c 'import json,sys; print(json.loads(sys.argv[1])["patient_id"])' "$accounts")"
out="$(on_restored -e STACK_PATIENT_ID="$expect" -e STACK_MESSAGES="${STACK_MESSAGES:-500}" web \
  python manage.py shell < "$HERE/stack_restore_check.py" 2>&1)" \
  || { echo "$out" | tail -20; die "messages or notes of the restored database do not decrypt with the same keys"; }
echo "ok   restored database, same keys: $(echo "$out" | sed -n 's/^STACK_RESTORE //p')"
out="$(on_restored web python manage.py verify_audit 2>&1)" \
  || { echo "$out" | tail -20; die "verify_audit on the restored database"; }
echo "ok   restored database, same keys: verify_audit: $(echo "$out" | tail -1)"
out="$(on_restored web python manage.py check_keys 2>&1)" \
  || { echo "$out" | tail -5; die "check_keys with the right keys"; }
echo "ok   check_keys, same keys: $(echo "$out" | tail -1)"
enc="$(sed -n 's/^ENCRYPTION_KEYS=//p' "$WORK/secrets.env")"
other_id="k9:$(head -c 32 /dev/urandom | base64)"
same_id="${enc%%:*}:$(head -c 32 /dev/urandom | base64)"  # the right key id, the wrong key
for wrong in "ENCRYPTION_KEYS=$other_id" "ENCRYPTION_KEYS=$same_id" "AUDIT_HMAC_KEY=not-the-key"; do
  if out="$(on_restored -e "$wrong" web python manage.py check_keys 2>&1)"; then
    die "check_keys passed with ${wrong%%=*} changed"
  fi
  echo "$out" | grep -q "${wrong%%=*}" || { echo "$out" | tail -3; die "check_keys did not name ${wrong%%=*}"; }
  echo "ok   check_keys, another ${wrong%%=*}: $(echo "$out" | grep "${wrong%%=*}" | tail -1 | cut -c1-160)"
done
# Without check_keys, at the point of use: reading messages and verifying the audit log with the
# wrong key fail with an error naming the variable, never "tampering" and never plaintext.
for wrong in "$other_id" "$same_id"; do
  if out="$(on_restored -e ENCRYPTION_KEYS="$wrong" web python manage.py shell < "$HERE/stack_restore_check.py" 2>&1)"; then
    die "the restored messages decrypted with another ENCRYPTION_KEYS"
  fi
  line="$(echo "$out" | grep -E 'Error' | tail -1 | cut -c1-200)"
  echo "$line" | grep -q ENCRYPTION_KEYS || { echo "$out" | tail -5; die "decrypting with another ENCRYPTION_KEYS: the error does not name ENCRYPTION_KEYS"; }
  echo "ok   reading messages with another ENCRYPTION_KEYS refused: $line"
done
if out="$(on_restored -e AUDIT_HMAC_KEY=not-the-key web python manage.py verify_audit 2>&1)"; then
  die "verify_audit passed with another AUDIT_HMAC_KEY"
fi
line="$(echo "$out" | grep -E 'Error' | tail -1 | cut -c1-200)"
echo "$line" | grep -q AUDIT_HMAC_KEY || { echo "$out" | tail -5; die "verify_audit with another AUDIT_HMAC_KEY: the error does not name AUDIT_HMAC_KEY"; }
echo "ok   verify_audit with another AUDIT_HMAC_KEY refused: $line"
dc exec -T backup dropdb paceway_restored

step "deploy-test passed"
