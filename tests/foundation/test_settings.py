import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from paceway.email_url import parse_email_url
from paceway.env import env_bool, env_int, env_list, env_secret

ROOT = Path(__file__).resolve().parents[2]


def _django_setup(extra_env: dict[str, str], code: str = "import django; django.setup(); print('ok')"):
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    env.update({"PYTHONPATH": f"{ROOT / 'platform'}:{ROOT}", "DJANGO_SETTINGS_MODULE": "paceway.settings"})
    env.update(extra_env)
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)


def test_it_reads_booleans_strictly(monkeypatch):
    monkeypatch.setenv("X_FLAG", "yes")
    assert env_bool("X_FLAG", False) is True
    monkeypatch.setenv("X_FLAG", "maybe")
    with pytest.raises(ImproperlyConfigured):
        env_bool("X_FLAG", False)


def test_it_rejects_malformed_integers(monkeypatch):
    monkeypatch.setenv("X_INT", "12a")
    with pytest.raises(ImproperlyConfigured):
        env_int("X_INT", 1)
    monkeypatch.setenv("X_INT", "-1")
    with pytest.raises(ImproperlyConfigured):
        env_int("X_INT", 1, minimum=0)


def test_it_reads_secrets_from_files(monkeypatch, tmp_path):
    secret = tmp_path / "secret"
    secret.write_text("from-a-file\n")
    monkeypatch.setenv("X_SECRET_FILE", str(secret))
    assert env_secret("X_SECRET") == "from-a-file"
    monkeypatch.setenv("X_SECRET_FILE", str(tmp_path / "missing"))
    with pytest.raises(ImproperlyConfigured):
        env_secret("X_SECRET")


def test_it_splits_lists(monkeypatch):
    monkeypatch.setenv("X_LIST", "a.org, b.org,,")
    assert env_list("X_LIST", []) == ["a.org", "b.org"]


def test_it_parses_email_urls():
    smtp = parse_email_url("smtp+tls://user%40x:p%2Fw@mail.example.org:2525")
    assert smtp["EMAIL_HOST"] == "mail.example.org"
    assert smtp["EMAIL_PORT"] == 2525
    assert smtp["EMAIL_HOST_USER"] == "user@x"
    assert smtp["EMAIL_HOST_PASSWORD"] == "p/w"
    assert smtp["EMAIL_USE_TLS"] is True
    with pytest.raises(ImproperlyConfigured):
        parse_email_url("carrier-pigeon://x")


def test_production_refuses_to_start_without_its_secrets():
    result = _django_setup({"DEBUG": "false", "SECRET_KEY": "", "ALLOWED_HOSTS": "", "ENCRYPTION_KEYS": ""})
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr and "ENCRYPTION_KEYS" in result.stderr and "ALLOWED_HOSTS" in result.stderr


PRODUCTION = {
    "DEBUG": "false",
    "SECRET_KEY": "a-long-random-production-secret-key-" + "x" * 40,
    "ALLOWED_HOSTS": "paceway.example.org",
    "ENCRYPTION_KEYS": "k1:" + "QUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUE=",
    "AUDIT_HMAC_KEY": "audit-key",
    "CLINIC_NAME": "Example Pain Clinic",
    "CLINIC_CONTACT": "1-800-000-0000",
}


def test_check_deploy_is_clean_with_production_settings():
    result = _django_setup(
        PRODUCTION,
        "import django, sys; django.setup(); from django.core.management import call_command; "
        "call_command('check', deploy=True, fail_level='WARNING')",
    )
    assert result.returncode == 0, result.stderr
    assert "WARNINGS" not in result.stderr + result.stdout


def test_check_deploy_fails_while_the_crisis_panel_shows_the_demo_clinic():
    demo = {k: v for k, v in PRODUCTION.items() if not k.startswith("CLINIC_")}
    result = _django_setup(
        demo,
        "import django, sys; django.setup(); from django.core.management import call_command; "
        "call_command('check', deploy=True, fail_level='WARNING')",
    )
    assert result.returncode != 0 and "outcomes.E001" in result.stderr


def test_demo_data_is_refused_in_production():
    result = _django_setup(
        PRODUCTION, "import django; django.setup(); from paceway.accounts.demo import load_demo; load_demo()"
    )
    assert result.returncode != 0
    assert "Demo data is refused" in result.stderr


def test_it_uses_embedded_services_by_default(settings):
    if os.environ.get("DATABASE_URL") or os.environ.get("REDIS_URL"):
        pytest.skip("this run uses PostgreSQL and Redis")
    assert settings.DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3"
    assert settings.CHANNEL_LAYERS["default"]["BACKEND"] == "channels.layers.InMemoryChannelLayer"
    assert settings.CELERY_BROKER_URL == "filesystem://"


def test_sqlite_runs_in_wal_mode(db):
    from django.db import connection

    if connection.vendor != "sqlite":
        pytest.skip("SQLite only")
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode")
        assert cursor.fetchone()[0].lower() == "wal"


def test_redis_layer_avoids_the_socket_timeout_trap(settings):
    if not os.environ.get("REDIS_URL"):
        pytest.skip("Redis not configured")
    host = settings.CHANNEL_LAYERS["default"]["CONFIG"]["hosts"][0]
    assert host["socket_timeout"] is None


_SHOW_POOL = (
    "import django; django.setup(); from django.conf import settings as s; d = s.DATABASES['default']; "
    "print(d['CONN_MAX_AGE'], d['OPTIONS'].get('pool'), s.HTTP_CONCURRENCY)"
)


def test_it_bounds_postgresql_connections_with_a_pool_sized_from_the_environment(tmp_path):
    # Nothing connects: settings only (issue 15).
    url = "postgres://u@127.0.0.1:1/x"
    result = _django_setup({"DATABASE_URL": url, "DATABASE_POOL_MAX": "12", "DATA_DIR": str(tmp_path)}, _SHOW_POOL)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[0] == "0"  # Django requires CONN_MAX_AGE 0 with a pool
    assert "'max_size': 12" in result.stdout and "'min_size': 2" in result.stdout and "'timeout': 5" in result.stdout
    assert result.stdout.split()[-1] == "8"  # the gate leaves 4 connections to the sockets' threads
    off = _django_setup({"DATABASE_URL": url, "DATABASE_POOL_MAX": "0", "DATA_DIR": str(tmp_path)}, _SHOW_POOL)
    assert off.stdout.split()[:2] == ["0", "None"], off.stderr
    bad = _django_setup({"DATABASE_URL": url, "DATABASE_POOL_MAX": "lots", "DATA_DIR": str(tmp_path)}, _SHOW_POOL)
    assert bad.returncode != 0 and "DATABASE_POOL_MAX" in bad.stderr


@pytest.mark.parametrize(
    ("variable", "value", "says"),
    [
        ("DATABASE_URL", "mysql://u@h/db", "is not a PostgreSQL or SQLite URL"),
        ("DATABASE_URL", "postgres://u:s3cret@h:port/db", "is malformed"),
        ("DATABASE_URL", "postgres://u@h:5432", "names no database"),
        ("REDIS_URL", "http://cache:6379", "is not a Redis URL"),
        ("TRUSTED_PROXY_COUNT", "one", "is not an integer"),
        ("TRUSTED_PROXY_COUNT", "-1", "must be at least 0"),
        ("ENCRYPTION_KEYS", "k1:not-base64!!", "is not valid base64"),
        ("METRICS_TOKEN", "short", "at least 16 characters"),
        ("METRICS_PORT", "http", "is not an integer"),
        ("LOG_FORMAT", "xml", "is not one of"),
    ],
)
def test_bad_configuration_stops_start_up_naming_the_variable(variable, value, says, tmp_path):
    result = _django_setup({**PRODUCTION, "DATA_DIR": str(tmp_path), variable: value})
    assert result.returncode != 0
    last = result.stderr.strip().splitlines()[-1]
    assert "ImproperlyConfigured" in last and variable in last and says in last, last
    assert "s3cret" not in result.stderr  # passwords never echoed
