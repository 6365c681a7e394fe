#!/bin/sh
# The compose stack's backup service: a pg_dump in custom format (-Fc) now and then every
# BACKUP_INTERVAL_SECONDS, into /backups/paceway-<UTC time>.dump, written to a temporary name and
# renamed when complete. Dumps older than BACKUP_KEEP_DAYS are deleted, but the newest
# BACKUP_KEEP_MIN are always kept (a stopped schedule never empties the folder).
# `backup_schedule.sh once` makes one dump now and exits.
# Connection from PGHOST, PGUSER, PGDATABASE, PGPASSWORD. Restore: see deploy/README.md.
set -eu
interval="${BACKUP_INTERVAL_SECONDS:-86400}"
keep_days="${BACKUP_KEEP_DAYS:-14}"
keep_min="${BACKUP_KEEP_MIN:-7}"
umask 077
mkdir -p /backups

dump_once() {
  stamp="$(date -u +%Y%m%dT%H%M%SZ)"
  target="/backups/paceway-$stamp.dump"
  if pg_dump -Fc --no-owner --no-privileges -f "$target.partial"; then
    mv "$target.partial" "$target"
    echo "backup: wrote $target ($(wc -c < "$target") bytes)"
  else
    rm -f "$target.partial"
    echo "backup: pg_dump FAILED at $stamp" >&2
    return 1
  fi
  # Retention: delete dumps older than keep_days, except the newest keep_min.
  ls -1t /backups/paceway-*.dump 2>/dev/null | tail -n +"$((keep_min + 1))" | while read -r old; do
    if [ -n "$(find "$old" -mmin +"$((keep_days * 1440))" 2>/dev/null)" ]; then
      rm -f "$old" && echo "backup: deleted $old (older than $keep_days days)"
    fi
  done
}

until pg_isready -q; do sleep 2; done
if [ "${1:-}" = "once" ]; then  # docker compose exec backup sh /usr/local/bin/backup_schedule.sh once
  dump_once
  exit
fi
while true; do
  dump_once || true
  sleep "$interval" &
  wait $!
done
