import pytest
from django.test import override_settings


@pytest.fixture(scope="session", autouse=True)
def _plain_http_live_server():
    """The live server behind Varnish speaks plain http (as tests/browser/conftest.py's):
    in force before the session-scoped live server builds its middleware."""
    with override_settings(SECURE_SSL_REDIRECT=False, SECURE_HSTS_SECONDS=0):
        yield
