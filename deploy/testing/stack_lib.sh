# Shared by test_stack.sh (Docker) and test_podman.sh (Podman): the helpers, the stack's settings
# and the checks run against a running stack, so both engines are held to the same checks.
# Sourced, not run. The caller sets ROOT HERE WORK SITE HTTP_PORT HTTPS_PORT PY and ENGINE (docker
# or podman: the command for inspect, logs, kill), and defines
#   dc ARGS...            its compose command, with the project, env file and compose file
#   service_ids SERVICE   the ids of the running containers of a service, one a line
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

# download_wheels: every wheel of requirements-runtime.lock into deploy/.wheels (an offline build).
download_wheels() {
  PIP_CONFIG_FILE=/dev/null "$PY" -m pip download -q --require-hashes --only-binary=:all: --python-version 3.11 \
    --implementation cp --abi cp311 --platform manylinux_2_28_x86_64 --platform manylinux_2_17_x86_64 \
    --platform manylinux2014_x86_64 -r "$ROOT/requirements-runtime.lock" -d "$ROOT/deploy/.wheels" \
    || die "pip download of requirements-runtime.lock (PyPI must be reachable from this host)"
}

# write_stack_env: the compose variables and the containers' settings of the test stack.
write_stack_env() {
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
}

# prepare_workdir DOWN_OPTIONS...: a fresh $WORK (or the same one with KEEP=1), the secrets from
# `manage generate_secrets` in the image, and stack.env. DOWN_OPTIONS go to `dc down -v` (the
# engines' compose tools take different ones) when an earlier stack is removed first.
prepare_workdir() {
  if [ "${KEEP:-0}" = 1 ] && [ -f "$WORK/stack.env" ]; then
    step "reusing $WORK (KEEP=1)"
  else
    [ -f "$WORK/stack.env" ] && dc down -v "$@" >/dev/null 2>&1 || true
    rm -rf "$WORK"; mkdir -p "$WORK/backups"
  fi
  if [ ! -f "$WORK/secrets.env" ]; then
    step "secrets: manage.py generate_secrets (as in deploy/README.md, step 4)"
    (umask 077; "$ENGINE" run --rm -e DEBUG=true paceway:stacktest manage generate_secrets > "$WORK/secrets.env") \
      || die "manage generate_secrets in the image"
    grep -q '^ENCRYPTION_KEYS=' "$WORK/secrets.env" || die "generate_secrets wrote no ENCRYPTION_KEYS"
  fi
  write_stack_env
}

# find_replicas: Caddy's root certificate into $WORK, and replicas={"ip": "container id"} of web.
find_replicas() {
  caddy_root() { dc exec -T caddy cat /data/caddy/pki/authorities/local/root.crt > "$WORK/caddy-root.crt" 2>/dev/null; }
  wait_for 120 "Caddy's internal CA root certificate" caddy_root
  replicas="$(for id in $(service_ids web); do
    printf '"%s": "%s"\n' "$("$ENGINE" inspect -f '{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}' "$id")" "$id"
  done | paste -sd, | sed 's/^/{/; s/$/}/')"
  echo "     web replicas: $replicas"
}

# check_from_outside: the proxy, static files, the first administrator, then messages across two
# replicas with one SIGKILLed (stack_check.py). Sets accounts (JSON of stack_setup.py).
check_from_outside() {
  check=(env CONTAINER_ENGINE="$ENGINE" "$PY" "$HERE/stack_check.py" --site "https://$SITE:$HTTPS_PORT"
    --http-port "$HTTP_PORT" --ca "$WORK/caddy-root.crt")
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
}

# check_risk_email: a risk answer's alert e-mail, written by the worker (EMAIL_URL=file:///data/mail).
check_risk_email() {
  step "risk answer: the alert's e-mail is sent by the worker"
  patient_id="$("$PY" -c 'import json,sys; print(json.loads(sys.argv[1])["patient_id"])' "$accounts")"
  therapist_email="$("$PY" -c 'import json,sys; print(json.loads(sys.argv[1])["therapist_email"])' "$accounts")"
  alert="$(dc exec -T -e PATIENT_ID="$patient_id" web python manage.py shell < "$HERE/stack_risk.py" | grep STACK_ALERT)" || true
  case "$alert" in "STACK_ALERT "[0-9]*) echo "     $alert" ;; *) die "the risk answer raised no alert ($alert)" ;; esac
  mail_file() { dc exec -T worker sh -c "grep -l 'To: $therapist_email' /data/mail/* 2>/dev/null" | head -1 | tr -d '\r' | grep .; }
  wait_for 120 "the alert's e-mail to $therapist_email in /data/mail (EMAIL_URL=file:///data/mail)" mail_file >/dev/null \
    || { dc logs --tail 40 worker; exit 1; }
  echo "ok   e-mail to $therapist_email written by the worker: $(mail_file)"
}

# check_backup_restore: the backup service's dump restored into a fresh database; right and wrong keys.
check_backup_restore() {
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
}
