"""A real Celery worker process: a risk alert raised in a committed transaction is enqueued on commit
(``.delay`` through ``transaction.on_commit``), picked up by the worker from the real broker (the
embedded filesystem broker, or Redis with REDIS_URL), and the therapist gets exactly one e-mail,
with no health data in it, even when the task is enqueued again."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from tests.live_servers import ROOT, database_url_for

pytestmark = [pytest.mark.live, pytest.mark.django_db(transaction=True)]

CELERY = ROOT / ".venv" / "bin" / "celery"
SEPARATOR = "-" * 79  # Django's file e-mail backend writes this line after each message
# Generous: on a loaded two-core machine the worker once took over 30 s to start and send.
DEADLINE = 120.0


@dataclass
class Worker:
    process: subprocess.Popen[bytes]
    log: Path
    mail_dir: Path

    def log_text(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def emails(self) -> list[str]:
        found: list[str] = []
        for path in sorted(self.mail_dir.glob("*")):
            found += [part.strip() for part in path.read_text(errors="replace").split(SEPARATOR) if part.strip()]
        return found


def _wait(condition, timeout: float, worker: Worker, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        if worker.process.poll() is not None:
            raise AssertionError(
                f"the worker exited ({worker.process.returncode}) while waiting for {what}:\n"
                f"{worker.log_text()[-4000:]}"
            )
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}; worker log:\n{worker.log_text()[-4000:]}")


def start_worker(tmp_path: Path, **extra_env: str) -> Worker:
    """A real Celery worker process on the test database and broker, ready to take tasks."""
    if not CELERY.exists():
        pytest.skip(f"{CELERY} is missing")
    mail_dir = tmp_path / "mail"
    mail_dir.mkdir(exist_ok=True)
    log = tmp_path / "worker.log"
    env = dict(os.environ)
    env.pop("DATABASE_URL_FILE", None)
    env.update(
        PYTHONPATH=os.pathsep.join([str(ROOT / "platform"), str(ROOT)]),
        DJANGO_SETTINGS_MODULE="paceway.settings",
        # The test database (committed data, transactional_db) and the test process's broker:
        # with no REDIS_URL the filesystem broker lives under DATA_DIR (see
        # settings.CELERY_BROKER_TRANSPORT_OPTIONS); with REDIS_URL it is passed through as is.
        DATABASE_URL=database_url_for(connection.settings_dict),
        DATA_DIR=str(settings.DATA_DIR),
        EMAIL_URL=f"file://{mail_dir}",
        SITE_URL="http://paceway.test",
        LOG_LEVEL="INFO",
        PYTHONUNBUFFERED="1",
        **extra_env,
    )
    if not os.environ.get("REDIS_URL"):
        queue = Path(str(settings.CELERY_BROKER_TRANSPORT_OPTIONS["data_folder_in"]))
        assert queue.is_relative_to(settings.DATA_DIR), queue
    with log.open("wb") as out:
        process = subprocess.Popen(
            [
                str(CELERY),
                "-A",
                "paceway",
                "worker",
                "--pool",
                "threads",
                "-c",
                "1",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                "-n",
                f"test-worker-{os.getpid()}@%h",
                "--loglevel",
                "INFO",
            ],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    running = Worker(process, log, mail_dir)
    try:
        _wait(lambda: " ready." in running.log_text(), DEADLINE, running, "the worker to be ready")
    except BaseException:
        stop_worker(running)
        raise
    return running


def stop_worker(running: Worker) -> None:
    process = running.process
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)  # warm shutdown
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


@pytest.fixture
def worker(transactional_db: None, tmp_path: Path) -> Iterator[Worker]:
    running = start_worker(tmp_path)
    try:
        yield running
    finally:
        stop_worker(running)


def _risky_answers() -> list[tuple[str, int]]:
    """A complete weekly check-in (whatever instruments it holds) with PHQ-9 item 9 answered 2."""
    from modules.outcomes.instruments import RISK_ITEM, WEEKLY_CHECK_IN, get_questionnaire

    check_in = get_questionnaire(WEEKLY_CHECK_IN)
    assert check_in is not None
    return [
        (item.code, 2 if item.code == RISK_ITEM else min(item.values))
        for instrument in check_in.instruments
        for item in instrument.items
    ]


def test_it_sends_the_risk_alert_email_once_from_a_real_worker(worker, personas):
    from modules.outcomes import services
    from modules.outcomes.instruments import WEEKLY_CHECK_IN
    from modules.outcomes.models import RiskAlert
    from modules.outcomes.tasks import notify_risk_alert

    patient, therapist = personas.patient, personas.therapist

    def alert_emails() -> list[str]:
        return [m for m in worker.emails() if therapist.email in m and "needs your attention" in m]

    submission = services.submit_response(
        actor=patient, patient=patient, questionnaire=WEEKLY_CHECK_IN, answers=_risky_answers()
    )  # committed: the notification task is enqueued on commit
    assert submission.crisis and submission.alert is not None
    first = submission.alert

    _wait(lambda: len(alert_emails()) >= 1, DEADLINE, worker, "the risk alert e-mail")
    first.refresh_from_db()
    assert first.notified_at is not None

    # The same task again (a retry, a duplicate delivery): nothing more is sent. A second alert
    # afterwards is the barrier: once its e-mail is out, the single worker thread has handled the
    # duplicate before it.
    notify_risk_alert.delay(first.pk)
    second = services.submit_response(
        actor=patient, patient=patient, questionnaire=WEEKLY_CHECK_IN, answers=_risky_answers()
    ).alert
    assert second is not None and second.pk != first.pk
    _wait(lambda: RiskAlert.objects.get(pk=second.pk).notified_at is not None, DEADLINE, worker, "the second alert")
    _wait(lambda: len(alert_emails()) >= 2, DEADLINE, worker, "the second e-mail")

    def handled() -> list[str]:
        lines = worker.log_text().splitlines()
        return [line for line in lines if "notify_risk_alert[" in line and " succeeded " in line]

    # The duplicate really reached the worker (and, one thread, finished before the second alert).
    _wait(lambda: len(handled()) >= 3, DEADLINE, worker, "the duplicate task to be handled")
    emails = alert_emails()
    assert len(emails) == 2, emails  # one per alert, none for the duplicate

    for message in worker.emails():
        lowered = message.lower()
        for health_data in (
            patient.email,
            patient.display_name,
            "phq",
            "gad",
            "question 9",
            "dead",
            "hurting",
            "self-harm",
            "suicid",
            "score",
            "depress",
            "several days",
            "more than half",
        ):
            assert health_data.lower() not in lowered, (health_data, message)
    assert "http://paceway.test/outcomes/alerts/" in emails[0]
    assert f"To: {therapist.email}" in emails[0]
