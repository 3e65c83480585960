import pytest
from django.urls import reverse
from pytest_django.asserts import assertContains, assertRedirects

from catalogue.models import Infrastructure
from imports.models import ColumnMapping, ImportJob

from .files import csv_file

pytestmark = pytest.mark.django_db

PARTNER_ROWS = [
    ["Nome", "NUTS", "Città", "Descrizione breve", "Email", "Tecnologie", "Ente"],
    [
        "Nanofab Lab",
        "ITH55",
        "Bologna",
        "Cleanroom.",
        "n@example.org",
        "Photonics",
        "CNR",
    ],
    ["", "ITH55", "Bologna", "No name.", "x@example.org", "", "CNR"],
]
PARTNER_MAPPING = {
    "Nome": "name",
    "NUTS": "region",
    "Città": "city",
    "Descrizione breve": "summary",
    "Email": "contact_email",
    "Tecnologie": "kets",
    "Ente": "host",
}


# Session, user, permissions, regions and the admin's sidebar, then the page's own.
QUERIES_OF_THE_IMPORTS_LIST = 10
QUERIES_OF_THE_REPORT = 9


@pytest.fixture
def importer_client(client, importer):
    client.force_login(importer)
    return client


def upload(client, upload_file, *, kind="infrastructures", region="ITH5"):
    return client.post(
        reverse("imports:job_create"),
        {"file": upload_file, "kind": kind, "region": region, "new_status": "pending"},
    )


def mapping_data(job: ImportJob, columns: dict[str, str], **extra) -> dict:
    data = {
        f"column_{index}": columns.get(column, "")
        for index, column in enumerate(job.columns)
    }
    return {**data, **extra}


def test_upload_leads_to_the_column_mapping_with_guesses(importer_client):
    rows = [
        ["name", "Region", "Contact email", "Notes"],
        ["Lab", "ITH55", "a@b.eu", ""],
    ]
    response = upload(importer_client, csv_file(rows))

    job = ImportJob.objects.get()
    assertRedirects(response, reverse("imports:job_mapping", args=[job.pk]))
    page = importer_client.get(reverse("imports:job_mapping", args=[job.pk]))
    form = page.context["form"]
    assert [form[f"column_{i}"].initial for i in range(4)] == [
        "name",
        "region",
        "contact_email",
        "",
    ]
    assertContains(page, "Lab")  # the first row, beside its column


def test_a_file_that_is_not_a_spreadsheet_is_refused_with_a_reason(importer_client):
    response = upload(importer_client, csv_file([["a"]], name="notes.pdf"))

    assertContains(response, "Upload a CSV or an Excel (.xlsx) file.")
    assert not ImportJob.objects.exists()


def test_an_empty_file_is_refused_with_a_reason(importer_client):
    response = upload(importer_client, csv_file([[" ", ""], [""]], name="blank.csv"))

    assertContains(response, "The file has no rows.")


def test_partner_admin_cannot_upload_into_another_region(importer_client):
    response = upload(importer_client, csv_file(PARTNER_ROWS), region="NL41")

    assert response.status_code == 200
    assert "region" in response.context["form"].errors
    assert not ImportJob.objects.exists()


def test_mapping_preview_and_import_end_to_end(
    importer_client, django_capture_on_commit_callbacks
):
    upload(importer_client, csv_file(PARTNER_ROWS, name="emilia.csv"))
    job = ImportJob.objects.get()

    with django_capture_on_commit_callbacks(execute=True):
        response = importer_client.post(
            reverse("imports:job_mapping", args=[job.pk]),
            mapping_data(job, PARTNER_MAPPING, save_as="Emilia-Romagna survey"),
        )
    assertRedirects(response, job.get_absolute_url())
    page = importer_client.get(job.get_absolute_url())
    assertContains(page, "Preview: nothing has been written yet")
    assertContains(page, "This field cannot be blank.")
    assertContains(page, "Import 1 row")
    assert not Infrastructure.objects.exists()

    with django_capture_on_commit_callbacks(execute=True):
        importer_client.post(reverse("imports:job_confirm", args=[job.pk]))
    page = importer_client.get(job.get_absolute_url())
    assertContains(page, "Nanofab Lab")
    assert Infrastructure.objects.get().status == "pending"


def test_saved_mapping_is_offered_for_the_next_file(
    importer_client, importer, django_capture_on_commit_callbacks
):
    upload(importer_client, csv_file(PARTNER_ROWS))
    first = ImportJob.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        importer_client.post(
            reverse("imports:job_mapping", args=[first.pk]),
            mapping_data(first, PARTNER_MAPPING, save_as="Emilia-Romagna survey"),
        )
    saved = ColumnMapping.objects.get()
    assert (saved.name, saved.region_id, saved.columns) == (
        "Emilia-Romagna survey",
        "ITH5",
        PARTNER_MAPPING,
    )

    upload(importer_client, csv_file(PARTNER_ROWS, name="next.csv"))
    second = ImportJob.objects.latest("pk")
    url = reverse("imports:job_mapping", args=[second.pk])
    page = importer_client.get(url, {"mapping": saved.pk})

    assertContains(page, "Emilia-Romagna survey")
    form = page.context["form"]
    assert {
        column: form[f"column_{i}"].initial for i, column in enumerate(second.columns)
    } == PARTNER_MAPPING


def test_mapping_without_a_name_column_is_refused(importer_client):
    upload(importer_client, csv_file(PARTNER_ROWS))
    job = ImportJob.objects.get()

    response = importer_client.post(
        reverse("imports:job_mapping", args=[job.pk]),
        mapping_data(job, {"NUTS": "region"}),
    )

    # Only the name is required: the rest may be completed by the staff later.
    assertContains(response, "Choose the column for: Name.")
    job.refresh_from_db()
    assert job.status == ImportJob.Status.UPLOADED


def test_mapping_one_field_twice_is_refused(importer_client):
    upload(importer_client, csv_file(PARTNER_ROWS))
    job = ImportJob.objects.get()

    response = importer_client.post(
        reverse("imports:job_mapping", args=[job.pk]),
        mapping_data(job, {**PARTNER_MAPPING, "Descrizione breve": "name"}),
    )

    assertContains(response, "Each field can be filled from one column only: Name.")


def test_progress_is_reported_while_an_import_runs(importer_client, importer):
    job = ImportJob.objects.create(
        kind="infrastructures",
        region_id="ITH5",
        file_name="big.csv",
        status=ImportJob.Status.RUNNING,
        total_rows=2000,
        processed_rows=500,
        created_by=importer,
    )

    progress = importer_client.get(reverse("imports:job_progress", args=[job.pk]))
    page = importer_client.get(job.get_absolute_url())

    assert progress.json() == {
        "status": "running",
        "active": True,
        "percent": 25,
        "processed": 500,
        "total": 2000,
        "text": "500 of 2000 rows",
    }
    assertContains(page, '<progress id="import-progress-bar" max="100" value="25">')
    assertContains(page, "reload it")


def test_only_a_previewed_file_can_be_imported(importer_client, importer):
    job = ImportJob.objects.create(
        kind="infrastructures", region_id="ITH5", file_name="a.csv", created_by=importer
    )

    response = importer_client.post(
        reverse("imports:job_confirm", args=[job.pk]), follow=True
    )

    assertContains(response, "Only a previewed file can be imported.")
    job.refresh_from_db()
    assert job.status == ImportJob.Status.UPLOADED


def test_imports_list_shows_who_imported_what(importer_client, importer):
    ImportJob.objects.create(
        kind="infrastructures",
        region_id="ITH5",
        file_name="emilia.csv",
        status=ImportJob.Status.DONE,
        created_by=importer,
    )
    ImportJob.objects.create(
        kind="infrastructures", region_id="NL41", file_name="brabant.csv"
    )

    page = importer_client.get(reverse("admin:imports_importjob_changelist"))

    assertContains(page, "emilia.csv")
    assertContains(page, importer.email)
    assert "brabant.csv" not in page.content.decode()


@pytest.mark.parametrize("count", [1, 25])
def test_imports_list_query_count_does_not_grow_with_rows(
    importer_client, importer, count, django_assert_num_queries
):
    for n in range(count):
        ImportJob.objects.create(
            kind="infrastructures",
            region_id="ITH5",
            file_name=f"file{n}.csv",
            created_by=importer,
        )

    with django_assert_num_queries(QUERIES_OF_THE_IMPORTS_LIST):
        response = importer_client.get(reverse("admin:imports_importjob_changelist"))
    assert response.status_code == 200


@pytest.mark.parametrize("count", [1, 30])
def test_import_report_query_count_does_not_grow_with_listings(
    importer_client, importer, count, django_assert_num_queries
):
    from tests.factories import make_infrastructure

    job = ImportJob.objects.create(
        kind="infrastructures",
        region_id="ITH5",
        file_name="done.csv",
        status=ImportJob.Status.DONE,
        created_by=importer,
    )
    job.infrastructures.set([make_infrastructure() for _n in range(count)])

    with django_assert_num_queries(QUERIES_OF_THE_REPORT):
        response = importer_client.get(job.get_absolute_url())
    assertContains(response, "Listings created or updated")
