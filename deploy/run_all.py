"""Run the whole platform in one terminal: Daphne (HTTP + WebSockets), a Celery worker and the
Celery beat scheduler. Ctrl-C stops all three. Used by `make run`; production runs each as its
own service (see deploy/README.md)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
HOST = os.environ.get("HOST", "127.0.0.1")
PORT = os.environ.get("PORT", "8000")
# A listen backlog of 1024 rather than Twisted's 50: a burst of connections waits in the kernel's
# queue rather than being dropped (the request gate then lets them into Django in turn).
ESCAPED_HOST = HOST.replace(":", "\\:")  # an IPv6 address's colons, for Twisted's endpoint syntax
ENDPOINT = f"tcp:port={PORT}:interface={ESCAPED_HOST}:backlog=1024"

COMMANDS = {
    "web": [
        str(BIN / "daphne"), "-e", ENDPOINT,
        "--websocket-max-message-size", "65536",
        "--application-close-timeout", "5",
        "paceway.asgi:application",
    ],
    "worker": [str(BIN / "celery"), "-A", "paceway", "worker", "--loglevel", "INFO", "--concurrency", "2", "--pool", "threads"],
    "scheduler": [str(BIN / "celery"), "-A", "paceway", "beat", "--loglevel", "INFO"],
}


def main() -> int:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT / "platform"), str(ROOT), env.get("PYTHONPATH")]))
    env.setdefault("DJANGO_SETTINGS_MODULE", "paceway.settings")
    processes = {name: subprocess.Popen(cmd, cwd=ROOT, env=env) for name, cmd in COMMANDS.items()}
    print(f"Paceway is starting on http://{HOST}:{PORT} (web, worker and scheduler). Ctrl-C stops all.", flush=True)

    def stop(*_: object) -> None:
        for process in processes.values():
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)

    signal.signal(signal.SIGTERM, stop)
    try:
        while all(process.poll() is None for process in processes.values()):
            time.sleep(0.5)
        for name, process in processes.items():
            if process.poll() is not None:
                print(f"{name} exited with {process.returncode}; stopping the others.", flush=True)
    except KeyboardInterrupt:
        pass
    finally:
        stop()
        deadline = time.time() + 10
        for process in processes.values():
            try:
                process.wait(timeout=max(0.1, deadline - time.time()))
            except subprocess.TimeoutExpired:
                process.kill()
    return 0


if __name__ == "__main__":
    sys.exit(main())
