"""The deployment files agree with the code: every variable documented, the compose stack's order
and singletons, a runtime lock without development tools, and the image's promises."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
SOURCES = ["platform", "modules", "therapist", "messaging"]
READ_VARIABLE = re.compile(
    r"""(?:env_(?:str|int|bool|list|secret|choice)\(|os\.environ\.get\(|os\.environ\[|os\.getenv\()\s*["']([A-Z][A-Z0-9_]+)["']"""
)
# Set by the image or the process manager, not by an operator.
NOT_OPERATOR_SETTINGS = {"DJANGO_SETTINGS_MODULE", "PORT", "HOST"}


def variables_read_by_the_code() -> set[str]:
    names: set[str] = set()
    for source in SOURCES:
        for path in (ROOT / source).rglob("*.py"):
            if "migrations" in path.parts or "tests" in path.parts:
                continue
            names.update(READ_VARIABLE.findall(path.read_text()))
    return names - NOT_OPERATOR_SETTINGS


def compose() -> dict:
    return yaml.safe_load((DEPLOY / "compose.yaml").read_text())


def test_it_documents_every_variable_the_code_reads_in_env_example():
    documented = set(re.findall(r"^#?\s*([A-Z][A-Z0-9_]+)=", (DEPLOY / ".env.example").read_text(), re.MULTILINE))
    missing = sorted(variables_read_by_the_code() - documented)
    assert not missing, f"deploy/.env.example does not document: {', '.join(missing)}"


def test_it_starts_web_worker_and_beat_only_after_migrate_succeeded():
    services = compose()["services"]
    for name in ("web", "worker", "beat"):
        assert services[name]["depends_on"]["migrate"]["condition"] == "service_completed_successfully", name
    assert services["migrate"]["restart"] == "no"
    assert services["migrate"]["command"] == ["migrate"]


def test_it_runs_one_scheduler_and_no_published_port_but_the_proxy():
    services = compose()["services"]
    assert services["beat"].get("deploy", {}).get("replicas", 1) == 1
    published = {name for name, service in services.items() if service.get("ports")}
    assert published == {"caddy"}


def test_it_runs_the_application_containers_read_only_without_capabilities():
    services = compose()["services"]
    for name in ("web", "worker", "beat", "migrate"):
        assert services[name]["read_only"] is True, name
        assert services[name]["cap_drop"] == ["ALL"], name
        assert services[name]["environment"]["TRUSTED_PROXY_COUNT"] == "1", name


def test_it_backs_up_in_custom_format_on_a_schedule_with_retention():
    script = (DEPLOY / "backup_schedule.sh").read_text()
    assert "pg_dump -Fc" in script
    assert "BACKUP_KEEP_DAYS" in script and "BACKUP_INTERVAL_SECONDS" in script
    assert compose()["services"]["backup"]["volumes"]


def test_it_keeps_development_tools_out_of_the_runtime_lock():
    def pins(path: Path) -> dict[str, str]:
        return dict(re.findall(r"^([a-z0-9][a-z0-9._-]*)==([^ \\\n]+)", path.read_text(), re.MULTILINE | re.IGNORECASE))

    runtime, full = pins(ROOT / "requirements-runtime.lock"), pins(ROOT / "requirements.lock")
    for tool in ("pytest", "playwright", "mypy", "ruff", "django-stubs", "time-machine", "websockets"):
        assert tool not in runtime, tool
    assert "daphne" in runtime and "django" in runtime
    assert "--hash=sha256:" in (ROOT / "requirements-runtime.lock").read_text()
    drift = {name: (version, full[name]) for name, version in runtime.items() if name in full and full[name] != version}
    assert not drift, f"runtime and development locks pin different versions: {drift}"


def test_it_builds_from_the_official_base_as_a_non_root_user_with_a_health_check():
    containerfile = (DEPLOY / "Containerfile").read_text()
    assert "ARG PYTHON_IMAGE=python:3.11-slim-bookworm" in containerfile
    assert "--require-hashes" in containerfile
    assert re.search(r"^USER 10001", containerfile, re.MULTILINE)
    assert "HEALTHCHECK" in containerfile and "/app/deploy/healthcheck.py" in containerfile
    assert "org.opencontainers.image.version" in containerfile
    assert "org.opencontainers.image.source" in containerfile
    assert "collectstatic" in containerfile
