"""One scheduler per deployment, one `make run` per DATA_DIR, helpers restarted instead of the
site going down."""

from __future__ import annotations

import importlib.util
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from paceway.ops.beat import BeatLock
from tests.live_servers import ROOT, database_url_for

pytestmark = pytest.mark.live


def _run_all():
    spec = importlib.util.spec_from_file_location("run_all", ROOT / "deploy" / "run_all.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["run_all"] = module  # its dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def wait_until(condition, timeout=60.0, interval=0.1):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(interval)
    raise TimeoutError("condition not met before the deadline")


def test_it_refuses_a_second_run_on_the_same_data_dir(tmp_path):
    run_all = _run_all()
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import importlib.util, sys, time; spec = importlib.util.spec_from_file_location('r', sys.argv[1]); "
            "m = importlib.util.module_from_spec(spec); sys.modules['r'] = m; spec.loader.exec_module(m); "
            "lock = m.acquire_instance_lock(__import__('pathlib').Path(sys.argv[2])); print('held', flush=True); time.sleep(60)",
            str(ROOT / "deploy" / "run_all.py"),
            str(tmp_path),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        second = subprocess.Popen(
            [sys.executable, str(ROOT / "deploy" / "run_all.py")],
            env={**os.environ, "DATA_DIR": str(tmp_path)},
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,
        )
        try:
            _out, err = second.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(second.pid, signal.SIGKILL)  # it started everything: a failure, and nothing left behind
            raise
        assert second.returncode != 0
        assert "already running on DATA_DIR=" in err and str(holder.pid) in err
    finally:
        holder.kill()
        holder.wait()
    # Once the first one is gone (even killed), the lock is free again.
    handle = run_all.acquire_instance_lock(tmp_path)
    handle.close()


def test_it_restarts_a_crashed_helper_and_keeps_the_web_server(tmp_path):
    run_all = _run_all()
    lines: list[str] = []
    marker = tmp_path / "worker-starts"
    supervisor = run_all.Supervisor(
        {
            "web": [sys.executable, "-c", "import time; time.sleep(120)"],
            "worker": [sys.executable, "-c", f"open({str(marker)!r}, 'a').write('x'); raise SystemExit(3)"],
        },
        dict(os.environ),
        say=lines.append,
    )
    supervisor.start()
    try:

        def restarted_twice():
            assert supervisor.poll() is None, "the web server must keep running"
            return marker.exists() and len(marker.read_text()) >= 3

        wait_until(restarted_twice, timeout=30)
        assert supervisor.children["web"].process.poll() is None
        assert any("worker exited with 3; restarting it in" in line for line in lines)
        assert any("restarting worker (restart 2)" in line for line in lines)
        supervisor.children["web"].process.kill()
        wait_until(lambda: supervisor.poll() is not None, timeout=10)
        assert any("web exited with" in line and "stopping the others" in line for line in lines)
    finally:
        supervisor.stop(timeout=5)


class Beat:
    def __init__(self, tmp_path: Path, name: str, database_url: str) -> None:
        self.log = tmp_path / f"{name}.log"
        env = {k: v for k, v in os.environ.items() if k != "REDIS_URL"}  # tasks go to a private folder
        env.update(
            DATABASE_URL=database_url,
            DATA_DIR=str(tmp_path / "data"),
            PYTHONPATH=os.pathsep.join([str(ROOT / "platform"), str(ROOT)]),
        )
        with open(self.log, "w") as out:
            self.process = subprocess.Popen(
                [str(ROOT / ".venv" / "bin" / "celery"), "-A", "paceway", "beat", "--loglevel", "INFO"],
                cwd=ROOT,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def says(self, text: str) -> bool:
        return text in self.log.read_text()

    def stop(self) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            raise


@pytest.mark.django_db(transaction=True)
def test_only_one_beat_schedules_and_a_second_waits_then_takes_over(tmp_path, settings):
    from paceway.ops import beat

    database_url = database_url_for(settings.DATABASES["default"])
    held = BeatLock()
    assert held.try_acquire()  # the test plays the running scheduler
    try:
        assert not BeatLock().try_acquire()  # a second claim in the same deployment fails at once

        waiting = Beat(tmp_path, "first", database_url)
        wait_until(lambda: waiting.says("another scheduler is running"), timeout=90)
        assert not waiting.says("this process is the scheduler")
        stopped_at = time.monotonic()
        waiting.stop()  # SIGTERM while waiting: it stops promptly
        assert time.monotonic() - stopped_at < 15

        standby = Beat(tmp_path, "standby", database_url)
        wait_until(lambda: standby.says("another scheduler is running"), timeout=90)
    finally:
        held.release()
    try:
        wait_until(lambda: standby.says("this process is the scheduler"), timeout=30)
        assert standby.process.poll() is None
    finally:
        standby.stop()
    assert beat.ADVISORY_KEY > 0
