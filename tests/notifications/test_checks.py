import pytest
from django.core import checks

pytestmark = pytest.mark.django_db


def deploy_warnings() -> list[str | None]:
    return [message.id for message in checks.run_checks(include_deployment_checks=True)]


@pytest.mark.parametrize(
    "site_url", ["http://127.0.0.1:8000", "http://localhost", "rii-portal.example.eu"]
)
def test_deploy_check_warns_when_email_links_would_not_open(settings, site_url):
    settings.PORTAL_SITE_URL = site_url
    assert "notifications.W001" in deploy_warnings()


def test_deploy_check_accepts_the_public_address(settings):
    settings.PORTAL_SITE_URL = "https://rii-portal.example.eu"
    assert "notifications.W001" not in deploy_warnings()
