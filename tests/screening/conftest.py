from __future__ import annotations

from pathlib import Path

import pytest

from modules.program.loader import load_program

MINI = Path(__file__).parent.parent / "program" / "content" / "mini"


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def program(db: None):
    return load_program(MINI).program
