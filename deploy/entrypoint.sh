#!/bin/sh
# Paceway container entrypoint: the first argument picks the role; the same image runs them all.
#   web                  Daphne (HTTP + WebSockets) on $PORT (default 8000)
#   worker               Celery worker
#   beat                 the Celery scheduler (run exactly one)
#   migrate              manage.py migrate, then load_content (a one-shot job before web starts)
#   manage <args...>     any manage.py command, e.g. `manage create_first_admin`, `manage verify_audit`
#   anything else        run as given (e.g. `sh`)
set -eu

role="${1:-web}"
[ "$#" -gt 0 ] && shift

# web, worker and beat first wait until every migration is applied (deploy/wait_for.py; deadline
# WAIT_SECONDS, default 300): podman-compose and Kubernetes do not wait for the migrate job.
case "$role" in
  web|worker|beat) python "$(dirname "$0")/wait_for.py" ;;
esac

case "$role" in
  web)
    # --proxy-headers: the client address comes from X-Forwarded-For, which the proxy in front
    # (Caddy, an Ingress controller) sets; keep TRUSTED_PROXY_COUNT equal to the number of proxies.
    # Daphne's own access log names full paths (a patient's id in /ws/messages/<id>/): off unless
    # DAPHNE_ACCESS_LOG=true; ACCESS_LOG=true gives Paceway's line per request (URL patterns only).
    case "${DAPHNE_ACCESS_LOG:-false}" in
      1|true|yes|on) set -- --access-log - "$@" ;;
    esac
    # The endpoint form sets a listen backlog of 1024 (-b/-p leave Twisted's 50, and a burst of
    # connections beyond it is dropped by the kernel and retried by clients seconds later).
    # --websocket_connect_timeout 60: after a restart every socket reconnects at once and waits its
    # turn in the handshake gate (paceway/handshake.py); Daphne's 5 s default refused the waiting ones.
    exec daphne -e "tcp:port=${PORT:-8000}:interface=${BIND:-0.0.0.0}:backlog=1024" --proxy-headers \
      --websocket-max-message-size 65536 --websocket_connect_timeout 60 --application-close-timeout 5 \
      "$@" paceway.asgi:application
    ;;
  worker)
    exec celery -A paceway worker --loglevel "${LOG_LEVEL:-INFO}" \
      --concurrency "${WORKER_CONCURRENCY:-2}" --pool "${WORKER_POOL:-threads}" "$@"
    ;;
  beat)
    exec celery -A paceway beat --loglevel "${LOG_LEVEL:-INFO}" "$@"
    ;;
  migrate)
    # A one-shot job needs no connection pool, and the pool's short wait (DATABASE_POOL_TIMEOUT,
    # sized for requests) failed load_content once on a busy host while the other roles started.
    export DATABASE_POOL_MAX=0
    python manage.py migrate --noinput "$@"
    exec python manage.py load_content
    ;;
  manage)
    exec python manage.py "$@"
    ;;
  *)
    exec "$role" "$@"
    ;;
esac
