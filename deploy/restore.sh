#!/bin/sh
# Restore a dump made by deploy/backup.sh into a FRESH, empty PostgreSQL database.
#
#   deploy/restore.sh DUMP_FILE TARGET_DATABASE_URL
#
# Create the target first (createdb, or your provider's console). It refuses a database that
# already has tables. Everything is restored in one transaction: all or nothing. Afterwards, with
# the SAME ENCRYPTION_KEYS and AUDIT_HMAC_KEY as when the dump was made:
#
#   DATABASE_URL=TARGET_DATABASE_URL python manage.py check_keys     # names a wrong key variable
#   DATABASE_URL=TARGET_DATABASE_URL python manage.py verify_audit   # the audit chain is intact
#   DATABASE_URL=TARGET_DATABASE_URL python manage.py migrate        # if the code is newer than the dump
set -eu
if [ "$#" -ne 2 ]; then
  echo "usage: $0 DUMP_FILE TARGET_DATABASE_URL" >&2
  exit 2
fi
dump="$1"
target="$2"
if [ ! -r "$dump" ]; then
  echo "restore: cannot read $dump" >&2
  exit 1
fi
tables="$(psql "$target" -tAc "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")"
if [ "$tables" != "0" ]; then
  echo "restore: the target database already has $tables tables; restore into a fresh, empty database" >&2
  exit 1
fi
pg_restore --no-owner --no-privileges --exit-on-error --single-transaction -d "$target" "$dump"
echo "restore: $dump restored. Now run check_keys and verify_audit with the keys that belong with it."
