#!/bin/sh
# One PostgreSQL backup: pg_dump in custom format (-Fc) into BACKUP_DIR/paceway-<UTC time>.dump,
# written under a temporary name and renamed when complete; then retention: dumps older than
# BACKUP_KEEP_DAYS (14) are deleted, but the newest BACKUP_KEEP_MIN (7) are always kept.
#
#   deploy/backup.sh [BACKUP_DIR]
#
# Connection: DATABASE_URL (postgres://user:pass@host:5432/db) or libpq's PGHOST, PGUSER,
# PGDATABASE, PGPASSWORD. POSIX sh: runs in the postgres image as well as on a host.
#
# The dump holds ciphertext and the audit log, never ENCRYPTION_KEYS or AUDIT_HMAC_KEY: keep those
# in a secret store, not beside the dumps (see deploy/README.md, "Backups and keys").
set -eu
dir="${1:-${BACKUP_DIR:-./backups}}"
keep_days="${BACKUP_KEEP_DAYS:-14}"
keep_min="${BACKUP_KEEP_MIN:-7}"
umask 077
mkdir -p "$dir"

stamp="$(date -u +%Y%m%dT%H%M%SZ)"
target="$dir/paceway-$stamp.dump"
if [ -n "${DATABASE_URL:-}" ]; then
  set -- "--dbname=$DATABASE_URL"
else
  set --
fi
if ! pg_dump -Fc --no-owner --no-privileges "$@" -f "$target.partial"; then
  rm -f "$target.partial"
  echo "backup: pg_dump FAILED at $stamp" >&2
  exit 1
fi
mv "$target.partial" "$target"
echo "backup: wrote $target ($(wc -c < "$target" | tr -d ' ') bytes)"

# Retention: the newest keep_min always stay; older ones go once they are past keep_days.
ls -1t "$dir"/paceway-*.dump 2>/dev/null | tail -n +"$((keep_min + 1))" | while read -r old; do
  if [ -n "$(find "$old" -mmin +"$((keep_days * 1440))" 2>/dev/null)" ]; then
    rm -f "$old" && echo "backup: deleted $old (older than $keep_days days)"
  fi
done
