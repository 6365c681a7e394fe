"""Container health check: GET /healthz on the local Daphne, exit 0 when it answers 200.

Only the web role serves HTTP: when process 1 is not Daphne (worker, beat, a one-shot command),
the check reports healthy without a request. While web, worker or beat still waits for the
migrations (deploy/wait_for.py, run by entrypoint.sh before it execs the role), the check reports
unhealthy, so nothing routes to or counts on a container that has not started its work.
The request carries the first ALLOWED_HOSTS name as Host and X-Forwarded-Proto: https, as the
proxy would, so neither the host check nor the HTTPS redirect of production settings turns it
into a 400 or a 301.
"""

from __future__ import annotations

import http.client
import os
import sys

WAITING_ROLES = {"web", "worker", "beat"}


def waiting_role(argv: list[str]) -> str | None:
    """The role process 1 is about to exec, while it is still entrypoint.sh (waiting for migrations)."""
    for position, arg in enumerate(argv):
        if arg.endswith("entrypoint.sh"):
            role = argv[position + 1] if position + 1 < len(argv) else "web"
            return role if role in WAITING_ROLES else None
    return None


def main() -> int:
    try:
        with open("/proc/1/cmdline", "rb") as cmdline:
            argv = [arg.decode(errors="replace") for arg in cmdline.read().split(b"\0") if arg]
    except OSError:
        argv = ["daphne"]
    role = waiting_role(argv)
    if role:
        print(f"{role}: waiting for the database migrations (deploy/wait_for.py)", file=sys.stderr)
        return 1
    if not any("daphne" in arg for arg in argv):
        return 0
    hosts = [h.strip().lstrip(".") for h in os.environ.get("ALLOWED_HOSTS", "").split(",") if h.strip()]
    host = next((h for h in hosts if "*" not in h), "localhost")
    conn = http.client.HTTPConnection("127.0.0.1", int(os.environ.get("PORT", "8000")), timeout=4)
    try:
        conn.request("GET", "/healthz", headers={"Host": host, "X-Forwarded-Proto": "https"})
        status = conn.getresponse().status
    except OSError as exc:
        print(f"healthz: {exc}", file=sys.stderr)
        return 1
    finally:
        conn.close()
    if status != 200:
        print(f"healthz: HTTP {status}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
