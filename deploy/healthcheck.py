"""Container health check: GET /healthz on the local Daphne, exit 0 when it answers 200.

Only the web role serves HTTP: when process 1 is not Daphne (worker, beat, a one-shot command),
the check reports healthy without a request.
The request carries the first ALLOWED_HOSTS name as Host and X-Forwarded-Proto: https, as the
proxy would, so neither the host check nor the HTTPS redirect of production settings turns it
into a 400 or a 301.
"""

from __future__ import annotations

import http.client
import os
import sys


def main() -> int:
    try:
        with open("/proc/1/cmdline", "rb") as cmdline:
            if b"daphne" not in cmdline.read():
                return 0
    except OSError:
        pass
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
