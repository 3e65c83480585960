"""A parameter of the admin's export that is not a filter is a bad request, not a
server error."""

import pytest
from django.test import Client
from django.urls import reverse

from tests.factories import make_infrastructure, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _admin_without_second_factor(settings) -> None:
    settings.PORTAL_REQUIRE_ADMIN_MFA = False


@pytest.mark.parametrize("model", ["infrastructure", "service", "equipment"])
def test_admin_export_with_an_unknown_parameter_is_a_bad_request(
    client: Client, model: str
) -> None:
    make_infrastructure(name="Bologna Photonics Lab", region="ITH55")
    client.force_login(make_user(is_staff=True, is_superuser=True))

    response = client.get(reverse(f"admin:catalogue_{model}_export"), {"format": "0"})

    assert response.status_code == 400


def test_admin_export_without_parameters_offers_the_form(client: Client) -> None:
    client.force_login(make_user(is_staff=True, is_superuser=True))

    response = client.get(reverse("admin:catalogue_infrastructure_export"))

    assert response.status_code == 200
