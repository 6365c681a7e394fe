import pytest


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """The shared personas hash five passwords; a fast hasher keeps this folder well under a minute."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
