"""Run the whole platform in one terminal: Daphne (HTTP + WebSockets), a Celery worker and the
Celery beat scheduler. Used by `make run`; production runs each as its own service (see
deploy/README.md).

- One instance per DATA_DIR: a second one is refused with a message (an ``flock`` on
  ``DATA_DIR/run_all.lock``, released by the kernel however the first one ends).
- It prepares the database first (migrate, collectstatic, content, demo accounts) under that lock.
- A helper (worker, scheduler) that exits is restarted, with a log line and a growing pause; only
  the web server's exit, Ctrl-C or SIGTERM stops everything.
"""

from __future__ import annotations

import fcntl
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
HOST = os.environ.get("HOST", "127.0.0.1")
PORT = os.environ.get("PORT", "8000")
# A listen backlog of 1024 rather than Twisted's 50: a burst of connections waits in the kernel's
# queue rather than being dropped (the request gate then lets them into Django in turn).
ESCAPED_HOST = HOST.replace(":", "\\:")  # an IPv6 address's colons, for Twisted's endpoint syntax
ENDPOINT = f"tcp:port={PORT}:interface={ESCAPED_HOST}:backlog=1024"
MANAGE = [sys.executable, str(ROOT / "manage.py")]

PREPARE = [
    [*MANAGE, "migrate", "--noinput", "-v0"],
    [*MANAGE, "collectstatic", "--noinput", "-v0"],
    [*MANAGE, "load_content"],
    [*MANAGE, "load_demo"],
]

COMMANDS = {
    "web": [
        str(BIN / "daphne"),
        "-e",
        ENDPOINT,
        "--websocket-max-message-size",
        "65536",
        "--websocket_connect_timeout",  # a reconnect storm waits in the handshake gate (entrypoint.sh)
        "60",
        "--application-close-timeout",
        "5",
        "paceway.asgi:application",
    ],
    "worker": [
        str(BIN / "celery"),
        "-A",
        "paceway",
        "worker",
        "--loglevel",
        "INFO",
        "--concurrency",
        "2",
        "--pool",
        "threads",
    ],
    "scheduler": [str(BIN / "celery"), "-A", "paceway", "beat", "--loglevel", "INFO"],
}
ESSENTIAL = "web"
BACKOFF_FIRST, BACKOFF_MAX, STABLE_AFTER = 1.0, 30.0, 60.0


def log(message: str) -> None:
    print(f"run_all: {message}", flush=True)


def data_dir() -> Path:
    return Path(os.environ.get("DATA_DIR") or ROOT / "data").resolve()


def acquire_instance_lock(folder: Path) -> IO[str]:
    """Hold ``folder/run_all.lock`` for the life of this process, or exit with a clear message."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "run_all.lock"
    handle = open(path, "a+")  # noqa: SIM115 (kept open: closing it releases the lock)
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.seek(0)
        holder = handle.read().strip() or "unknown"
        handle.close()
        raise SystemExit(
            f"run_all: Paceway is already running on DATA_DIR={folder} (process {holder} holds {path}). "
            "Stop it first (Ctrl-C in its terminal), or set DATA_DIR to another folder."
        ) from None
    handle.seek(0)
    handle.truncate()
    handle.write(f"{os.getpid()}\n")
    handle.flush()
    return handle


@dataclass
class Child:
    name: str
    command: list[str]
    process: subprocess.Popen[bytes] | None = None
    started_at: float = 0.0
    restarts: int = 0
    backoff: float = BACKOFF_FIRST
    restart_at: float | None = None


@dataclass
class Supervisor:
    """Starts the commands, restarts helpers that exit, stops everything when the web server does."""

    commands: dict[str, list[str]]
    env: dict[str, str]
    essential: str = ESSENTIAL
    say: Callable[[str], None] = log
    clock: Callable[[], float] = time.monotonic
    children: dict[str, Child] = field(default_factory=dict)

    def start(self) -> None:
        for name, command in self.commands.items():
            self.children[name] = Child(name, command)
            self._spawn(self.children[name])

    def _spawn(self, child: Child) -> None:
        child.process = subprocess.Popen(child.command, cwd=ROOT, env=self.env, preexec_fn=_die_with_parent)
        child.started_at = self.clock()
        child.restart_at = None

    def poll(self) -> int | None:
        """One round: the web server's exit code if it has stopped, else None."""
        now = self.clock()
        for child in self.children.values():
            process = child.process
            if child.restart_at is not None:
                if now >= child.restart_at:
                    child.restarts += 1
                    self.say(f"restarting {child.name} (restart {child.restarts}).")
                    self._spawn(child)
                continue
            if process is None or process.poll() is None:
                continue
            if child.name == self.essential:
                self.say(f"{child.name} exited with {process.returncode}; stopping the others.")
                return process.returncode
            if now - child.started_at >= STABLE_AFTER:
                child.backoff = BACKOFF_FIRST
            self.say(
                f"{child.name} exited with {process.returncode}; restarting it in {child.backoff:.0f} s "
                f"(the web server keeps running)."
            )
            child.restart_at = now + child.backoff
            child.backoff = min(child.backoff * 2, BACKOFF_MAX)
        return None

    def stop(self, timeout: float = 10.0) -> None:
        running = [c.process for c in self.children.values() if c.process is not None and c.process.poll() is None]
        for process in running:
            process.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + timeout
        for process in running:
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _die_with_parent() -> None:
    """Linux: a child gets SIGTERM if this supervisor is killed, so no server is left orphaned."""
    if sys.platform.startswith("linux"):
        import ctypes

        ctypes.CDLL(None).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def child_env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT / "platform"), str(ROOT), env.get("PYTHONPATH")]))
    env.setdefault("DJANGO_SETTINGS_MODULE", "paceway.settings")
    return env


def main() -> int:
    lock = acquire_instance_lock(data_dir())
    env = child_env()
    for step in PREPARE:
        if subprocess.run(step, cwd=ROOT, env=env, check=False).returncode != 0:
            log(f"{' '.join(step[1:])} failed; not starting.")
            return 1
    supervisor = Supervisor(COMMANDS, env)

    stopping = False

    def on_sigterm(*_: Any) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, on_sigterm)
    supervisor.start()
    log(f"Paceway is starting on http://{HOST}:{PORT} (web, worker and scheduler). Ctrl-C stops all.")
    code = 0
    try:
        while not stopping:
            exited = supervisor.poll()
            if exited is not None:
                code = exited or 1
                break
            time.sleep(0.5)
    except KeyboardInterrupt:
        pass
    finally:
        supervisor.stop()
        lock.close()
    return code


if __name__ == "__main__":
    sys.exit(main())
