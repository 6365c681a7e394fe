"""Real server processes for live tests: Daphne (the project's ASGI app) and a private Redis.

Used by tests marked ``live``. Each helper starts a subprocess on a free local port, waits until
it accepts connections, and can be killed with SIGKILL and restarted on the same port.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
DAPHNE = ROOT / ".venv" / "bin" / "daphne"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for_port(port: int, timeout: float = 20.0, process: subprocess.Popen[Any] | None = None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"process on port {port} exited with {process.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.05)
    raise TimeoutError(f"nothing listens on port {port}")


def database_url_for(settings_dict: dict[str, Any]) -> str:
    """A DATABASE_URL for the database the current test run uses (SQLite or PostgreSQL)."""
    engine = settings_dict["ENGINE"]
    if "sqlite" in engine:
        return f"sqlite:///{Path(str(settings_dict['NAME'])).resolve()}"
    user = settings_dict.get("USER") or ""
    password = settings_dict.get("PASSWORD") or ""
    auth = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    host = settings_dict.get("HOST") or "127.0.0.1"
    port = settings_dict.get("PORT") or 5432
    return f"postgres://{auth}{host}:{port}/{settings_dict['NAME']}"


class Server:
    def __init__(self, port: int | None = None) -> None:
        self.port = port or free_port()
        self.process: subprocess.Popen[bytes] | None = None

    def command(self) -> list[str]:
        raise NotImplementedError

    def env(self) -> dict[str, str]:
        return dict(os.environ)

    def start(self) -> Server:
        self.process = subprocess.Popen(
            self.command(),
            cwd=ROOT,
            env=self.env(),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        wait_for_port(self.port, process=self.process)
        return self

    def kill(self) -> None:
        """SIGKILL: no clean shutdown, as in a crash."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=10)

    def restart(self) -> None:
        self.kill()
        self.start()

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.kill()
        self.process = None


class RedisServer(Server):
    """A private, non-persistent Redis, safe to restart (never the shared one)."""

    def command(self) -> list[str]:
        binary = shutil.which("redis-server") or "redis-server"
        return [binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"


def daphne_command(
    port: int, app: str = "paceway.asgi:application", *, close_timeout: int = 5, connect_timeout: int = 60
) -> list[str]:
    """Daphne on 127.0.0.1:``port`` with the options of ``deploy/entrypoint.sh``: a listen
    backlog of 1024 (``-b``/``-p`` leave Twisted's 50, and a reconnect storm's connections beyond
    it are dropped and retried seconds later) and 60 s for a WebSocket handshake (Daphne's 5 s
    default refuses the handshakes still queued in ``paceway.handshake``'s gate)."""
    return [
        str(DAPHNE),
        "-e",
        f"tcp:port={port}:interface=127.0.0.1:backlog=1024",
        "--websocket-max-message-size",
        str(64 * 1024),
        "--websocket_connect_timeout",
        str(connect_timeout),
        "--application-close-timeout",
        str(close_timeout),
        app,
    ]


class DaphneServer(Server):
    def __init__(self, *, database_url: str, redis_url: str, settings_module: str, port: int | None = None) -> None:
        super().__init__(port)
        self.database_url = database_url
        self.redis_url = redis_url
        self.settings_module = settings_module

    def command(self) -> list[str]:
        return daphne_command(self.port, close_timeout=3)

    def env(self) -> dict[str, str]:
        env = dict(os.environ)
        env.update(
            PYTHONPATH=os.pathsep.join([str(ROOT / "platform"), str(ROOT)]),
            DJANGO_SETTINGS_MODULE=self.settings_module,
            DATABASE_URL=self.database_url,
            REDIS_URL=self.redis_url,
            LOG_LEVEL="WARNING",
        )
        return env

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def ws_url(self, path: str) -> str:
        return f"ws://127.0.0.1:{self.port}{path}"
