"""Imports and exports in a browser: a partner admin brings in a spreadsheet with
the keyboard, and every page on the way passes axe-core."""

import pytest
from django.urls import reverse

from catalogue import search
from catalogue.models import Infrastructure
from imports.models import ImportJob
from tests.browser.test_moderation import press
from tests.browser.test_workspace import sign_in
from tests.factories import make_infrastructure, make_moderator
from tests.imports.conftest import use_import_settings

pytestmark = pytest.mark.django_db(transaction=True)

SPREADSHEET = (
    "Nome;NUTS;Città;Descrizione;Email;Ente;Tecnologie\r\n"
    'Nanofab Lab;ITH55;Bologna;Cleanroom for SMEs.;nano@example.org;CNR;"Photonics; Quantum widgets"\r\n'
    ";ITH55;Bologna;No name.;x@example.org;CNR;\r\n"
)


@pytest.fixture(autouse=True)
def _imports_settings(settings, tmp_path):
    use_import_settings(settings, tmp_path / "private")


@pytest.fixture
def partner_admin():
    return make_moderator(region="ITH5")


@pytest.fixture
def admin_page(page):
    """The browser on admin pages, which link no icon: Chromium's request for
    /favicon.ico would count as a script error."""
    page.route("**/favicon.ico", lambda route: route.fulfill(status=204))
    return page


def test_a_partner_admin_imports_a_spreadsheet_with_the_keyboard(
    admin_page, partner_admin, tmp_path, assert_accessible
):
    page = admin_page
    spreadsheet = tmp_path / "emilia.csv"
    spreadsheet.write_bytes(SPREADSHEET.encode("cp1252"))
    sign_in(page, partner_admin)
    page.goto(page.live_server_url + reverse("admin:imports_importjob_changelist"))
    assert_accessible(page)

    press(page, "Import a spreadsheet")
    page.get_by_role("heading", name="Import a spreadsheet").wait_for()
    assert_accessible(page)
    page.get_by_label("Spreadsheet").set_input_files(spreadsheet)
    page.get_by_label("Region").select_option("ITH5")
    press(page, "Upload and continue", role="button")

    page.get_by_role("heading", name="Match the columns").wait_for()
    assert_accessible(page)
    for column, field in [
        ("Nome", "Name"),
        ("NUTS", "Region"),
        ("Città", "City"),
        ("Descrizione", "Summary"),
        ("Email", "Contact email"),
        ("Ente", "Host organisation"),
        ("Tecnologie", "Key Enabling Technologies"),
    ]:
        page.get_by_label(column, exact=True).select_option(label=field)
    page.get_by_label("Save this mapping as").fill("Emilia-Romagna survey")
    press(page, "Preview the import", role="button")

    page.get_by_role("heading", name="Preview: nothing has been written yet").wait_for()
    assert page.get_by_role(
        "cell", name="This field cannot be blank."
    ).first.is_visible()
    assert page.get_by_role("cell", name="Quantum widgets").is_visible()
    assert_accessible(page)
    assert not Infrastructure.objects.exists()

    press(page, "Import 1 row", role="button")
    page.get_by_role("heading", name="Listings created or updated").wait_for()
    assert page.get_by_role("link", name="Nanofab Lab").is_visible()
    assert_accessible(page)
    assert Infrastructure.objects.get().status == "pending"
    assert page.js_errors == []


def test_a_running_import_shows_its_progress(
    admin_page, partner_admin, assert_accessible
):
    page = admin_page
    job = ImportJob.objects.create(
        kind="infrastructures",
        region_id="ITH5",
        file_name="big.csv",
        status=ImportJob.Status.RUNNING,
        total_rows=20_000,
        processed_rows=5_000,
        created_by=partner_admin,
    )
    sign_in(page, partner_admin)
    page.goto(page.live_server_url + job.get_absolute_url())

    progress = page.get_by_label("Progress")
    assert progress.get_attribute("value") == "25"
    assert page.get_by_role("status").filter(has_text="5000 of 20000 rows").is_visible()
    assert_accessible(page)

    ImportJob.objects.filter(pk=job.pk).update(processed_rows=15_000)
    page.get_by_role("status").filter(has_text="15000 of 20000 rows").wait_for()
    assert progress.get_attribute("value") == "75"
    assert page.js_errors == []


def test_export_pages_are_accessible(page, partner_admin, assert_accessible):
    make_infrastructure(name="Bologna Photonics Lab", region="ITH55")
    search.refresh()
    page.goto(page.live_server_url + reverse("catalogue:infrastructure_list"))
    assert page.get_by_role("link", name="UNIQUIP CSV").is_visible()
    assert_accessible(page)

    sign_in(page, partner_admin)
    page.goto(
        page.live_server_url + reverse("admin:catalogue_infrastructure_changelist")
    )
    press(page, "Export")
    page.get_by_label("Format").wait_for()
    assert_accessible(page)


def test_the_preview_of_a_messy_inventory_groups_what_it_leaves_out(
    admin_page, assert_accessible
):
    """A multi-country inventory (fixtures/imports/inventory.csv): the preview's
    grouped reasons, possible duplicate and incomplete listings pass axe-core,
    and confirming the duplicate imports it too."""
    from django.conf import settings

    from tests.factories import make_organisation, make_user

    page = admin_page
    make_infrastructure(
        name="Laboratorio MIST E-R",
        host=make_organisation(name="MIST E-R S.c.r.l.", country="IT"),
        region="ITH55",
    )
    sign_in(page, make_user(is_staff=True, is_superuser=True))
    page.goto(page.live_server_url + reverse("imports:job_create"))
    page.get_by_label("Spreadsheet").set_input_files(
        settings.BASE_DIR / "fixtures" / "imports" / "inventory.csv"
    )
    page.get_by_label("Region").select_option("ITH5")
    press(page, "Upload and continue", role="button")
    page.get_by_role("heading", name="Match the columns").wait_for()
    # The inventory's own column names are recognised.
    assert page.get_by_label("country", exact=True).input_value() == "region"
    assert page.get_by_label("lat", exact=True).input_value() == "latitude"
    press(page, "Preview the import", role="button")

    page.get_by_role("heading", name="Preview: nothing has been written yet").wait_for()
    groups = page.locator("#import-error-groups tbody tr")
    assert groups.count() == 2
    assert "outside the EU27" in groups.nth(0).inner_text()
    assert "Possibly the same listing" in groups.nth(1).inner_text()
    assert page.get_by_role("link", name="Laboratorio MIST E-R").is_visible()
    assert page.get_by_role("heading", name="4 incomplete listings").is_visible()
    assert page.get_by_role(
        "link", name="Download the rows left out, with their reasons (CSV)"
    ).is_visible()
    assert_accessible(page)

    page.get_by_label("Also import the 1 possible duplicate as a new listing").check()
    press(page, "Import 4 rows", role="button")
    page.get_by_role("heading", name="Listings created or updated").wait_for()
    assert Infrastructure.objects.filter(name="Laboratorio MIST E-R").count() == 2
    assert Infrastructure.objects.count() == 6
    assert_accessible(page)
    assert page.js_errors == []
