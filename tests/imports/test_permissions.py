"""Who may open each import and export URL: every URL, every role."""

import pytest
from django.urls import reverse

from catalogue.models import Region
from imports.services import import_job_create
from tests.factories import make_infrastructure, make_user

from .conftest import IMPORTERS, ROLES, make_importer, make_role
from .files import csv_file

pytestmark = pytest.mark.django_db

# (URL name, method, status for an importer of the job's region)
JOB_ENDPOINTS = [
    ("job_detail", "get", 200),
    ("job_mapping", "get", 200),
    ("job_progress", "get", 200),
    # The job has not been previewed: the importer is sent back to its page.
    ("job_confirm", "post", 302),
]


@pytest.fixture
def job(db):
    rows = [["name", "city"], ["Lab", "Bologna"]]
    return import_job_create(
        user=make_importer(region="ITH5"),
        upload=csv_file(rows),
        kind="infrastructures",
        region=Region.objects.get(code="ITH5"),
    )


def request_as(client, role: str, method: str, url: str):
    user = make_role(role)
    if user:
        client.force_login(user)
    return getattr(client, method)(url)


def expected_for_outsiders(response) -> None:
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("name", "method", "allowed"), JOB_ENDPOINTS)
def test_job_pages_by_role(client, job, role, name, method, allowed):
    response = request_as(
        client, role, method, reverse(f"imports:{name}", args=[job.pk])
    )

    if role in ("partner_admin_of_region", "superuser"):
        assert response.status_code == allowed
    elif role == "partner_admin_of_other_region":
        assert response.status_code == 404
    else:
        expected_for_outsiders(response)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("method", ["get", "post"])
def test_upload_page_by_role(client, role, method):
    response = request_as(client, role, method, reverse("imports:job_create"))

    if role in IMPORTERS:
        # A POST without a file answers the form with its errors.
        assert response.status_code == 200
    else:
        expected_for_outsiders(response)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(
    "url_name",
    [
        "admin:imports_importjob_changelist",
        "admin:imports_columnmapping_changelist",
        "admin:catalogue_infrastructure_export",
        "admin:catalogue_service_export",
        "admin:catalogue_equipment_export",
    ],
)
def test_admin_import_and_export_pages_by_role(client, role, url_name):
    response = request_as(client, role, "get", reverse(url_name))

    if role in IMPORTERS:
        assert response.status_code == 200
    else:
        expected_for_outsiders(response)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("file_format", ["csv", "xlsx", "uniquip"])
def test_search_export_is_open_to_everyone(client, role, file_format):
    make_infrastructure(name="Open Lab")

    response = request_as(
        client, role, "get", reverse("imports:search_export", args=[file_format])
    )

    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")


def test_staff_without_the_partner_admin_role_may_not_import(client, job):
    client.force_login(make_user(is_staff=True))

    assert client.get(reverse("imports:job_create")).status_code == 403
    detail = client.get(reverse("imports:job_detail", args=[job.pk]))
    assert detail.status_code == 403


def test_import_pages_ask_staff_for_two_factors_when_required(client, settings_mfa):
    client.force_login(make_importer(region="ITH5"))

    response = client.get(reverse("imports:job_create"))

    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_activate_totp")


@pytest.fixture
def settings_mfa(settings):
    settings.PORTAL_REQUIRE_ADMIN_MFA = True
    return settings
