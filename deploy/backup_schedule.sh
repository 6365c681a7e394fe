#!/bin/sh
# The compose stack's backup service: deploy/backup.sh (one pg_dump -Fc into /backups, with
# retention: older than BACKUP_KEEP_DAYS deleted, the newest BACKUP_KEEP_MIN always kept) now,
# then every BACKUP_INTERVAL_SECONDS. `backup_schedule.sh once` makes one dump now and exits.
# Connection from PGHOST, PGUSER, PGDATABASE, PGPASSWORD. Restore: see deploy/README.md.
set -eu
interval="${BACKUP_INTERVAL_SECONDS:-86400}"
backup="${BACKUP_SCRIPT:-/usr/local/bin/backup.sh}"

until pg_isready -q; do sleep 2; done
if [ "${1:-}" = "once" ]; then  # docker compose exec backup sh /usr/local/bin/backup_schedule.sh once
  exec sh "$backup" /backups
fi
while true; do
  sh "$backup" /backups || echo "backup: will try again in $interval s" >&2
  sleep "$interval" &
  wait $!
done
