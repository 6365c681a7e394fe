"""Strong secrets for a new installation, in the formats settings expect.

    python manage.py generate_secrets [--output FILE]
    python -m paceway.ops.secrets [--output FILE]     # the same, without any settings configured

Prints an env file (or writes a new one, mode 600, never overwriting) and warns, on stderr, to
keep the two key variables away from the database backups.
"""

from __future__ import annotations

import argparse
import base64
import os
import secrets
import sys
from datetime import UTC, datetime
from pathlib import Path

WARNING = (
    "Store ENCRYPTION_KEYS and AUDIT_HMAC_KEY somewhere other than the database backups (a password "
    "manager or secret store, with its own backup). Without ENCRYPTION_KEYS, messages, notes and "
    "authenticator secrets in every backup are unreadable; without AUDIT_HMAC_KEY the audit log cannot "
    "be verified. A backup kept beside its keys protects nothing."
)


class RefusedError(Exception):
    pass


def generate(today: datetime | None = None) -> dict[str, str]:
    """Fresh values. The key id carries the date, so a later rotation (a new key put first)
    gets a distinct id."""
    key_id = f"k{(today or datetime.now(UTC)):%Y%m%d}"
    return {
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ENCRYPTION_KEYS": f"{key_id}:{base64.b64encode(secrets.token_bytes(32)).decode()}",
        "AUDIT_HMAC_KEY": secrets.token_urlsafe(48),
    }


def env_file(values: dict[str, str]) -> str:
    lines = [
        f"# Paceway secrets, generated {datetime.now(UTC):%Y-%m-%d %H:%M} UTC by `manage.py generate_secrets`.",
        "# SECRET_KEY signs sessions and links; replacing it logs everyone out.",
        f"SECRET_KEY={values['SECRET_KEY']}",
        "# " + WARNING,
        "# ENCRYPTION_KEYS: id:base64(32 bytes), comma-separated, newest first (see manage.py rotate_master_key).",
        f"ENCRYPTION_KEYS={values['ENCRYPTION_KEYS']}",
        f"AUDIT_HMAC_KEY={values['AUDIT_HMAC_KEY']}",
    ]
    return "\n".join(lines) + "\n"


def write_new(path: Path, text: str) -> None:
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise RefusedError(f"{path} exists: refusing to overwrite secrets (move it away first)") from None
    except OSError as exc:
        raise RefusedError(f"cannot create {path}: {exc.strerror}") from None
    with os.fdopen(fd, "w") as handle:
        handle.write(text)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m paceway.ops.secrets", description=__doc__.split("\n")[0])
    parser.add_argument("--output", help="write to this new file (mode 600); an existing file is never overwritten")
    args = parser.parse_args(argv)
    text = env_file(generate())
    if args.output:
        try:
            write_new(Path(args.output), text)
        except RefusedError as exc:
            print(f"generate_secrets: {exc}", file=sys.stderr)
            return 1
        print(f"Wrote {args.output} (mode 600).", file=sys.stderr)
    else:
        sys.stdout.write(text)
    print("IMPORTANT: " + WARNING, file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
