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
started=$(date +%s)
step() { echo "== [$(( $(date +%s) - started ))s] $*"; }

# 1. Docker --------------------------------------------------------------------------------------
if ! docker info >/dev/null 2>&1; then
  export DOCKER_HOST="${DOCKER_HOST:-unix:///run/docker-paceway/docker.sock}"
  if ! docker info >/dev/null 2>&1; then
    command -v dockerd >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker.io >/dev/null; }
    step "starting a private dockerd (data in /var/lib/docker-paceway, socket ${DOCKER_HOST#unix://})"
    mkdir -p /var/lib/docker-paceway /run/docker-paceway
    nohup dockerd --data-root /var/lib/docker-paceway --exec-root /run/docker-paceway \
      --pidfile /run/docker-paceway/dockerd.pid -H "$DOCKER_HOST" > /var/log/dockerd-paceway.log 2>&1 &
    for _ in $(seq 60); do docker info >/dev/null 2>&1 && break; sleep 1; done
    docker info >/dev/null 2>&1 || { tail -20 /var/log/dockerd-paceway.log; echo "dockerd did not start"; exit 1; }
  fi
fi
if docker compose version >/dev/null 2>&1; then DC=(docker compose)
elif command -v docker-compose >/dev/null; then DC=(docker-compose)
else apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker-compose >/dev/null; DC=(docker-compose)
fi
command -v debootstrap >/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >/dev/null
dc() { "${DC[@]}" -p "$PROJECT" --env-file "$WORK/stack.env" -f "$ROOT/deploy/compose.yaml" "$@"; }
step "engine: $(docker version -f 'Docker {{.Server.Version}}, storage {{.Server.Os}}' 2>/dev/null) ($(docker info -f '{{.Driver}}')), compose: ${DC[*]}"

# 2. Base images and wheels ----------------------------------------------------------------------
step "base images from Debian packages"
bash "$HERE/base-images.sh"
step "wheels for an offline build (deploy/.wheels)"
PIP_CONFIG_FILE=/dev/null "$PY" -m pip download -q --require-hashes --only-binary=:all: --python-version 3.11 \
  --implementation cp --abi cp311 --platform manylinux_2_28_x86_64 --platform manylinux_2_17_x86_64 \
  --platform manylinux2014_x86_64 -r "$ROOT/requirements-runtime.lock" -d "$ROOT/deploy/.wheels"

# 3. Image and configuration ---------------------------------------------------------------------
step "docker build -f deploy/Containerfile --build-arg WHEELS=deploy/.wheels"
docker build -q -f "$ROOT/deploy/Containerfile" --build-arg WHEELS=deploy/.wheels \
  --build-arg REVISION="$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)" \
  -t paceway:stacktest "$ROOT" >/dev/null

if [ "${KEEP:-0}" = 1 ] && [ -f "$WORK/stack.env" ]; then
  step "reusing $WORK (KEEP=1)"
else
  [ -f "$WORK/stack.env" ] && dc down -v --remove-orphans >/dev/null 2>&1 || true
  rm -rf "$WORK"; mkdir -p "$WORK/backups"
fi
if [ ! -f "$WORK/secrets.env" ]; then
  if docker run --rm -e DEBUG=true paceway:stacktest manage help generate_secrets >/dev/null 2>&1; then
    step "secrets: manage.py generate_secrets (as in deploy/README.md, step 4)"
    (umask 077; docker run --rm -e DEBUG=true paceway:stacktest manage generate_secrets > "$WORK/secrets.env")
  else
    step "secrets: generate_secrets is not in this image yet; writing them with Python's secrets module"
    "$PY" - > "$WORK/secrets.env" <<'PYEOF'
import base64, secrets
print(f"SECRET_KEY={secrets.token_urlsafe(50)}")
print(f"ENCRYPTION_KEYS=k1:{base64.b64encode(secrets.token_bytes(32)).decode()}")
print(f"AUDIT_HMAC_KEY={secrets.token_urlsafe(48)}")
PYEOF
  fi
  chmod 600 "$WORK/secrets.env"
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

cleanup() {
  status=$?
  if [ "$status" != 0 ]; then
    echo "---- last logs (web, worker, beat, migrate, caddy) ----"
    dc logs --no-color --tail 25 web worker beat migrate caddy 2>&1 | tail -120 || true
  fi
  if [ "${KEEP:-0}" = 1 ]; then echo "stack left running (KEEP=1): ${DC[*]} -p $PROJECT --env-file $WORK/stack.env -f deploy/compose.yaml ..."
  else dc down -v --remove-orphans >/dev/null 2>&1 || true; fi
  exit "$status"
}
trap cleanup EXIT

# 4. Up --------------------------------------------------------------------------------------------
step "compose up --scale web=2 (migrate first; web, worker and beat wait for it)"
dc up -d --scale web=2 2>&1 | grep -v "^$" | sed 's/^/     /'
migrate_id="$(dc ps -a -q migrate)"
[ "$(docker inspect -f '{{.State.ExitCode}}' "$migrate_id")" = 0 ] || { dc logs migrate | tail -30; exit 1; }
step "waiting for both web replicas to be healthy"
for _ in $(seq 120); do
  healthy=0
  for id in $(dc ps -q web); do
    [ "$(docker inspect -f '{{.State.Health.Status}}' "$id")" = healthy ] && healthy=$((healthy + 1))
  done
  [ "$healthy" = 2 ] && break
  sleep 1
done
[ "$healthy" = 2 ] || { echo "web replicas healthy: $healthy of 2"; exit 1; }
for _ in $(seq 60); do
  dc exec -T caddy cat /data/caddy/pki/authorities/local/root.crt > "$WORK/caddy-root.crt" 2>/dev/null && break
  sleep 1
done
replicas="$(for id in $(dc ps -q web); do
  printf '"%s": "%s"\n' "$(docker inspect -f '{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}' "$id")" "$id"
done | paste -sd, | sed 's/^/{/; s/$/}/')"
echo "     web replicas: $replicas"

# 5. Checks from outside -------------------------------------------------------------------------
check=("$PY" "$HERE/stack_check.py" --site "https://$SITE:$HTTPS_PORT" --http-port "$HTTP_PORT" --ca "$WORK/caddy-root.crt")
step "proxy: /healthz, /readyz, HSTS, redirect"
"${check[@]}" --only proxy
step "static files: hashed stylesheet with far-future caching"
static_ok=1
"${check[@]}" --only static || static_ok=0
if docker run --rm -e DEBUG=true paceway:stacktest manage help create_first_admin >/dev/null 2>&1; then
  step "first administrator (deploy/README.md, step 6): manage create_first_admin, then its one-time link"
  out="$(dc run --rm --no-deps -T web manage create_first_admin --email "admin@$SITE" 2>&1)" \
    || { echo "$out" | tail -5; echo "FAIL create_first_admin"; exit 1; }
  echo "$out" | grep -q 'otpauth://totp/' || { echo "FAIL no otpauth URI printed"; exit 1; }
  link="$(echo "$out" | grep -oE "https://$SITE:$HTTPS_PORT/[^ ]+" | head -1 | tr -d '\r')"
  code="$(curl -s -o /dev/null -w '%{http_code}' --cacert "$WORK/caddy-root.crt" \
    --resolve "$SITE:$HTTPS_PORT:127.0.0.1" "$link")"
  [ "$code" = 200 ] || { echo "FAIL the one-time link $link answers $code"; exit 1; }
  echo "ok   administrator created without e-mail: otpauth URI printed, one-time link answers 200 through Caddy"
fi
step "accounts: a patient and their therapist (manage.py shell in a web container)"
accounts="$(dc exec -T web python manage.py shell < "$HERE/stack_setup.py" | sed -n 's/^STACK_JSON //p')"
[ -n "$accounts" ] || { echo "no accounts"; exit 1; }
step "messages: ${STACK_MESSAGES:-500} over wss:// across two replicas, one replica SIGKILLed mid-stream"
"${check[@]}" --only messages --accounts "$accounts" --replicas "$replicas" --messages "${STACK_MESSAGES:-500}" \
  --kill-at "${STACK_KILL_AT:-200}"

# 6. Risk e-mail through the worker --------------------------------------------------------------
step "risk answer: the alert's e-mail is sent by the worker"
patient_id="$("$PY" -c 'import json,sys; print(json.loads(sys.argv[1])["patient_id"])' "$accounts")"
therapist_email="$("$PY" -c 'import json,sys; print(json.loads(sys.argv[1])["therapist_email"])' "$accounts")"
dc exec -T -e PATIENT_ID="$patient_id" web python manage.py shell < "$HERE/stack_risk.py" | grep STACK_ALERT
mail_ok=0
for _ in $(seq 60); do
  if dc exec -T worker sh -c "grep -l 'To: $therapist_email' /data/mail/* 2>/dev/null" | grep -q .; then mail_ok=1; break; fi
  sleep 1
done
[ "$mail_ok" = 1 ] || { echo "FAIL no e-mail to $therapist_email in /data/mail after 60 s"; dc logs --tail 40 worker; exit 1; }
echo "ok   e-mail to $therapist_email written by the worker: $(dc exec -T worker sh -c "grep -l 'To: $therapist_email' /data/mail/*" | head -1 | tr -d '\r')"

# 7. Backup and restore --------------------------------------------------------------------------
step "backup: the backup service's dump, restored into a fresh database"
dc exec -T backup sh /usr/local/bin/backup_schedule.sh once
dump="$(ls -1t "$WORK"/backups/paceway-*.dump | head -1)"
echo "     newest dump: $dump ($(stat -c %s "$dump") bytes); dumps in the folder: $(ls "$WORK"/backups/*.dump | wc -l)"
dc exec -T backup sh -c "dropdb --if-exists paceway_restored && createdb paceway_restored \
  && pg_restore --no-owner --no-privileges --exit-on-error -d paceway_restored /backups/$(basename "$dump")"
pw="$(cat "$WORK/stack.env.pw")"
restored="postgres://paceway:$pw@postgres:5432/paceway_restored"
out="$(dc run --rm --no-deps -T -e DATABASE_URL="$restored" web manage shell < "$HERE/stack_restore_check.py" 2>&1)" \
  || { echo "$out" | tail -20; echo "FAIL messages of the restored database do not decrypt"; exit 1; }
echo "ok   restored database, same keys: $(echo "$out" | sed -n 's/^STACK_RESTORE //p') decrypted"
out="$(dc run --rm --no-deps -T -e DATABASE_URL="$restored" web manage verify_audit 2>&1)" \
  || { echo "$out" | tail -20; echo "FAIL verify_audit on the restored database"; exit 1; }
echo "ok   restored database, same keys: verify_audit: $(echo "$out" | tail -1)"
other_enc="k9:$(head -c 32 /dev/urandom | base64)"
if docker run --rm -e DEBUG=true paceway:stacktest manage help check_keys >/dev/null 2>&1; then
  out="$(dc run --rm --no-deps -T -e DATABASE_URL="$restored" web manage check_keys 2>&1)" \
    || { echo "$out" | tail -5; echo "FAIL check_keys with the right keys"; exit 1; }
  echo "ok   check_keys, same keys: $(echo "$out" | tail -1)"
  enc="$(sed -n 's/^ENCRYPTION_KEYS=//p' "$WORK/secrets.env")"
  for wrong in "ENCRYPTION_KEYS=$other_enc" "ENCRYPTION_KEYS=${enc%%:*}:$(head -c 32 /dev/urandom | base64)" \
               "AUDIT_HMAC_KEY=not-the-key"; do
    if out="$(dc run --rm --no-deps -T -e DATABASE_URL="$restored" -e "$wrong" web manage check_keys 2>&1)"; then
      echo "FAIL check_keys passed with ${wrong%%=*} changed"; exit 1
    fi
    echo "$out" | grep -q "${wrong%%=*}" || { echo "$out" | tail -3; echo "FAIL check_keys did not name ${wrong%%=*}"; exit 1; }
    echo "ok   check_keys, another ${wrong%%=*}: $(echo "$out" | grep "${wrong%%=*}" | tail -1 | cut -c1-160)"
  done
fi
if out="$(dc run --rm --no-deps -T -e DATABASE_URL="$restored" -e ENCRYPTION_KEYS="$other_enc" web manage shell < "$HERE/stack_restore_check.py" 2>&1)"; then
  echo "FAIL the restored messages decrypted with another ENCRYPTION_KEYS"; exit 1
fi
echo "ok   wrong ENCRYPTION_KEYS refused: $(echo "$out" | grep -E 'Error|error' | tail -1 | cut -c1-200)"
if out="$(dc run --rm --no-deps -T -e DATABASE_URL="$restored" -e AUDIT_HMAC_KEY=not-the-key web manage verify_audit 2>&1)"; then
  echo "FAIL verify_audit passed with another AUDIT_HMAC_KEY"; exit 1
fi
echo "ok   wrong AUDIT_HMAC_KEY refused: $(echo "$out" | grep -E 'Error|error' | tail -1 | cut -c1-200)"
dc exec -T backup dropdb paceway_restored

if [ "$static_ok" != 1 ]; then
  step "FAILED: static files (see above); everything else passed"
  exit 1
fi
step "deploy-test passed"
