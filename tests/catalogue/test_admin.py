import pytest
from django.apps import apps
from django.contrib import admin
from django.urls import reverse

from tests.factories import make_equipment, make_service, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def superuser_client(client):
    client.force_login(make_user(is_staff=True, is_superuser=True))
    return client


def registered_models():
    return [
        (model._meta.app_label, model._meta.model_name)
        for model in admin.site._registry
    ]


@pytest.mark.parametrize(("app_label", "model_name"), registered_models())
def test_every_admin_changelist_and_add_page_renders(
    superuser_client, rf, app_label, model_name
):
    make_equipment(infrastructure=make_service().infrastructure)
    model_admin = admin.site._registry[apps.get_model(app_label, model_name)]
    request = rf.get("/")
    request.user = make_user(is_staff=True, is_superuser=True)
    # Records (decisions, task results, access requests) are never added here.
    adds = model_admin.has_add_permission(request)
    for view in ("changelist", "add"):
        url = reverse(f"admin:{app_label}_{model_name}_{view}")
        response = superuser_client.get(url)
        expected = 200 if view == "changelist" or adds else 403
        assert response.status_code == expected, url


def test_admin_changelist_search_and_filters_work(superuser_client):
    service = make_service(name="Nanoindentation")
    url = reverse("admin:catalogue_service_changelist")
    response = superuser_client.get(
        url, {"q": "nanoindent", "price_band": "on_request"}
    )
    assert response.status_code == 200
    assert service.name in response.text


def test_infrastructure_change_form_renders_with_inlines(superuser_client):
    service = make_service(name="Cleanroom access")
    url = reverse(
        "admin:catalogue_infrastructure_change", args=[service.infrastructure.pk]
    )
    response = superuser_client.get(url)
    assert response.status_code == 200
    assert "Cleanroom access" in response.text


def test_anonymous_visitors_are_sent_to_the_admin_login(client):
    response = client.get(reverse("admin:catalogue_infrastructure_changelist"))
    assert response.status_code == 302
    assert reverse("admin:login") in response["Location"]
