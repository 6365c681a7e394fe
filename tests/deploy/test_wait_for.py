"""deploy/wait_for.py and the health check's view of it: web, worker and beat start only on an
up-to-date schema, whichever engine starts them (podman-compose ignores depends_on conditions)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"


def load(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, DEPLOY / f"{name}.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


@pytest.mark.django_db
def test_it_returns_at_once_when_every_migration_is_applied(capsys):
    wait_for = load("wait_for")
    assert wait_for.unapplied_migrations() == 0
    assert wait_for.wait_for_migrations(limit=5) == 0
    assert capsys.readouterr().out == ""


def test_it_waits_until_the_migrations_are_applied(monkeypatch, capsys):
    wait_for = load("wait_for")
    states = iter(["database not reachable (OperationalError: refused)", 3, 2, 1, 0])
    monkeypatch.setattr(wait_for, "unapplied_migrations", lambda: next(states))
    assert wait_for.wait_for_migrations(limit=30, retry=0) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 3, lines  # unreachable, 3 not applied, all applied: not one line per migration
    assert "database not reachable" in lines[0] and "3 migrations not applied yet" in lines[1]
    assert lines[2] == "wait_for: all migrations applied"


def test_it_gives_up_at_the_deadline_naming_the_variable(monkeypatch, capsys):
    wait_for = load("wait_for")
    monkeypatch.setattr(wait_for, "unapplied_migrations", lambda: 2)
    assert wait_for.wait_for_migrations(limit=0.2, retry=0.05) == 1
    assert "WAIT_SECONDS=0.2" in capsys.readouterr().err


def test_it_reads_its_deadline_from_wait_seconds(monkeypatch):
    wait_for = load("wait_for")
    monkeypatch.delenv("WAIT_SECONDS", raising=False)
    assert wait_for.wait_seconds() == 300
    monkeypatch.setenv("WAIT_SECONDS", "0")
    assert wait_for.main() == 0  # no wait, no database
    monkeypatch.setenv("WAIT_SECONDS", "soon")
    with pytest.raises(SystemExit, match="WAIT_SECONDS"):
        wait_for.wait_seconds()


def test_the_health_check_reports_a_waiting_role_unhealthy():
    healthcheck = load("healthcheck")
    entrypoint = ["/bin/sh", "/app/deploy/entrypoint.sh"]
    assert healthcheck.waiting_role([*entrypoint, "web"]) == "web"
    assert healthcheck.waiting_role([*entrypoint, "worker"]) == "worker"
    assert healthcheck.waiting_role([*entrypoint, "beat"]) == "beat"
    assert healthcheck.waiting_role(entrypoint) == "web"  # the image's default role
    assert healthcheck.waiting_role([*entrypoint, "migrate"]) is None
    assert healthcheck.waiting_role(["/opt/venv/bin/python", "/opt/venv/bin/daphne", "-e", "tcp:port=8000"]) is None


def test_the_entrypoint_waits_before_web_worker_and_beat_only():
    entrypoint = (DEPLOY / "entrypoint.sh").read_text()
    assert 'web|worker|beat) python "$(dirname "$0")/wait_for.py"' in entrypoint
    assert "deploy/wait_for.py" in (DEPLOY / "Containerfile").read_text()
