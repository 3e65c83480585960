"""Partner admins see and change only what belongs to their regions, in every admin
page: change lists, forms, deletion, history, autocompletes and actions."""

from typing import Any

import pytest
from django.contrib import admin
from django.urls import reverse

from catalogue.models import Infrastructure, Service
from tests.factories import make_organisation, make_staff, make_user
from tests.moderation.conftest import (
    OTHER_REGION,
    OWN_REGION,
    make_moderator,
    make_superuser,
)
from tests.moderation.objects import make_in_region, make_listing

pytestmark = pytest.mark.django_db

# (app label, model name, views that answer 403 to a partner admin of the region).
SCOPED_ADMINS = [
    ("catalogue", "infrastructure", set()),
    ("catalogue", "service", set()),
    ("catalogue", "equipment", set()),
    ("catalogue", "ris3priority", set()),
    ("catalogue", "goodpractice", set()),
    ("accounts", "organisation", {"delete"}),
    ("accounts", "infrastructuremembership", set()),
    ("catalogue", "moderationdecision", {"add", "delete"}),
    ("access", "accessrequest", {"add", "delete"}),
]
# Records nobody adds or deletes in the admin, superusers included.
READ_ONLY = {"moderationdecision", "accessrequest"}
VIEWS = ["changelist", "add", "change", "delete", "history"]
OUTSIDERS = ["anonymous", "sme", "staff_of_this_rii", "staff_of_other_rii"]
ADMINS = ["partner_admin_of_region", "partner_admin_of_other_region", "superuser"]


def url(app_label: str, model_name: str, view: str, obj) -> str:
    name = f"admin:{app_label}_{model_name}_{view}"
    if view in ("changelist", "add"):
        return reverse(name)
    return reverse(name, args=[obj.pk])


def user_for(role: str, listing: Infrastructure):
    return {
        "anonymous": lambda: None,
        "sme": lambda: make_user(),
        "staff_of_this_rii": lambda: make_staff(infrastructure=listing),
        "staff_of_other_rii": lambda: make_staff(
            infrastructure=make_listing(OTHER_REGION)
        ),
        "partner_admin_of_region": lambda: make_moderator(region=OWN_REGION),
        "partner_admin_of_other_region": lambda: make_moderator(region=OTHER_REGION),
        "superuser": make_superuser,
    }[role]()


def expected_status(role: str, model_name: str, view: str, denied: set[str]) -> int:
    if model_name in READ_ONLY and view in ("add", "delete"):
        return 403
    if role == "superuser":
        return 200
    if view in denied:
        return 403
    if role == "partner_admin_of_other_region" and view not in ("changelist", "add"):
        # The object does not exist for them.
        return 404 if view == "history" else 302
    return 200


@pytest.mark.parametrize("role", OUTSIDERS)
@pytest.mark.parametrize("view", VIEWS)
@pytest.mark.parametrize(("app_label", "model_name", "denied"), SCOPED_ADMINS)
def test_people_without_admin_access_are_sent_to_the_admin_login(
    client, role, view, app_label, model_name, denied
):
    obj = make_in_region(model_name, OWN_REGION)
    listing = make_listing(OWN_REGION)
    user = user_for(role, listing)
    if user:
        client.force_login(user)

    response = client.get(url(app_label, model_name, view, obj))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


@pytest.mark.parametrize("role", ADMINS)
@pytest.mark.parametrize("view", VIEWS)
@pytest.mark.parametrize(("app_label", "model_name", "denied"), SCOPED_ADMINS)
def test_partner_admins_reach_the_objects_of_their_regions_only(
    client, role, view, app_label, model_name, denied
):
    obj = make_in_region(model_name, OWN_REGION)
    client.force_login(user_for(role, make_listing(OWN_REGION)))

    response = client.get(url(app_label, model_name, view, obj))

    assert response.status_code == expected_status(role, model_name, view, denied)
    if response.status_code == 302:
        assert response["Location"] == reverse("admin:index")


@pytest.mark.parametrize("role", ADMINS)
@pytest.mark.parametrize(("app_label", "model_name", "denied"), SCOPED_ADMINS)
def test_change_lists_show_the_objects_of_the_partner_admins_regions(
    client, role, app_label, model_name, denied
):
    own = make_in_region(model_name, OWN_REGION)
    other = make_in_region(model_name, OTHER_REGION)
    client.force_login(user_for(role, make_listing(OWN_REGION)))

    page = client.get(url(app_label, model_name, "changelist", None)).text

    shown = {
        obj for obj in (own, other) if url(app_label, model_name, "change", obj) in page
    }
    assert (
        shown
        == {
            "partner_admin_of_region": {own},
            "partner_admin_of_other_region": {other},
            "superuser": {own, other},
        }[role]
    )


def autocomplete(client, *, app_label: str, model_name: str, field_name: str):
    response = client.get(
        reverse("admin:autocomplete"),
        {"app_label": app_label, "model_name": model_name, "field_name": field_name},
    )
    assert response.status_code == 200
    return {item["text"] for item in response.json()["results"]}


def test_autocompletes_offer_only_listings_hosts_and_regions_of_the_admins_regions(
    client,
):
    own = make_listing(OWN_REGION)
    make_listing(OTHER_REGION)
    client.force_login(make_moderator())

    listings = autocomplete(
        client, app_label="catalogue", model_name="service", field_name="infrastructure"
    )
    hosts = autocomplete(
        client, app_label="catalogue", model_name="infrastructure", field_name="host"
    )
    regions = autocomplete(
        client, app_label="catalogue", model_name="infrastructure", field_name="region"
    )

    assert listings == {own.name}
    assert own.host is not None
    assert hosts == {own.host.name}
    assert regions and all(f"({OWN_REGION}" in text for text in regions)
    assert not any(OTHER_REGION in text for text in regions)


def test_a_superuser_autocompletes_everything(client):
    own, other = make_listing(OWN_REGION), make_listing(OTHER_REGION)
    client.force_login(make_superuser())

    listings = autocomplete(
        client, app_label="catalogue", model_name="service", field_name="infrastructure"
    )

    assert listings == {own.name, other.name}


def test_an_organisation_hosting_a_listing_of_the_region_is_in_scope_wherever_it_is(
    client,
):
    host = make_organisation(name="Distant University", region="NL411", country="NL")
    make_listing(OWN_REGION, host=host)
    client.force_login(make_moderator())

    response = client.get(reverse("admin:accounts_organisation_change", args=[host.pk]))

    assert response.status_code == 200


def change_form_data(client, obj, admin_name: str, **changes) -> dict:
    """What the admin's change form of ``obj`` posts back, with ``changes``."""
    response = client.get(reverse(f"admin:{admin_name}_change", args=[obj.pk]))
    form = response.context["adminform"].form
    data: dict[str, Any] = {}
    for name, field in form.fields.items():
        value = form.initial.get(name, field.initial)
        if value is None:
            continue
        if isinstance(value, list | tuple):
            data[name] = [str(getattr(v, "pk", v)) for v in value]
        elif isinstance(value, bool):
            if value:
                data[name] = "on"
        else:
            data[name] = str(getattr(value, "pk", value))
    for formset in response.context["inline_admin_formsets"]:
        management = formset.formset.management_form
        for name in ("TOTAL_FORMS", "INITIAL_FORMS"):
            data[management.add_prefix(name)] = "0"
    data.update(changes)
    return data


def test_a_partner_admin_cannot_move_a_listing_to_another_region(client):
    listing = make_listing(OWN_REGION)
    client.force_login(make_moderator())
    data = change_form_data(client, listing, "catalogue_infrastructure", region="NL411")

    response = client.post(
        reverse("admin:catalogue_infrastructure_change", args=[listing.pk]), data
    )

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["region"]
    listing.refresh_from_db()
    assert listing.region_id == "ITH55"


def test_a_partner_admin_may_move_a_listing_within_their_region(client):
    listing = make_listing(OWN_REGION)
    client.force_login(make_moderator())
    data = change_form_data(client, listing, "catalogue_infrastructure", region="ITH54")

    response = client.post(
        reverse("admin:catalogue_infrastructure_change", args=[listing.pk]), data
    )

    assert response.status_code == 302
    listing.refresh_from_db()
    assert listing.region_id == "ITH54"


def test_a_partner_admin_cannot_give_a_service_to_a_listing_of_another_region(
    client,
):
    service = make_in_region("service", OWN_REGION)
    other = make_listing(OTHER_REGION)
    client.force_login(make_moderator())
    data = change_form_data(
        client, service, "catalogue_service", infrastructure=str(other.pk)
    )

    response = client.post(
        reverse("admin:catalogue_service_change", args=[service.pk]), data
    )

    assert response.context["adminform"].form.errors["infrastructure"]
    assert Service.objects.get(pk=service.pk).infrastructure_id != other.pk


def test_actions_leave_listings_of_other_regions_alone(client):
    own = make_listing(OWN_REGION, status="pending")
    other = make_listing(OTHER_REGION, status="pending")
    client.force_login(make_moderator())

    client.post(
        reverse("admin:catalogue_infrastructure_changelist"),
        {"action": "approve_selected", "_selected_action": [own.pk, other.pk]},
    )

    own.refresh_from_db()
    other.refresh_from_db()
    assert (own.status, other.status) == ("published", "pending")


def test_deleting_selected_services_skips_those_of_other_regions(client):
    own = make_in_region("service", OWN_REGION)
    other = make_in_region("service", OTHER_REGION)
    client.force_login(make_moderator())

    client.post(
        reverse("admin:catalogue_service_changelist"),
        {
            "action": "delete_selected",
            "_selected_action": [own.pk, other.pk],
            "post": "yes",
        },
    )

    assert list(Service.objects.all()) == [other]


def test_old_versions_are_for_reading_only(client):
    listing = make_listing(OWN_REGION)
    version = listing.history.get()
    client.force_login(make_superuser())
    url = reverse(
        "admin:catalogue_infrastructure_simple_history",
        args=[listing.pk, version.history_id],
    )

    assert client.get(url).status_code == 200
    assert client.post(url, {"name": "Renamed"}).status_code == 403


def test_a_partner_admin_of_another_region_cannot_read_an_old_version(client):
    listing = make_listing(OWN_REGION)
    version = listing.history.get()
    client.force_login(make_moderator(region=OTHER_REGION))

    response = client.get(
        reverse(
            "admin:catalogue_infrastructure_simple_history",
            args=[listing.pk, version.history_id],
        )
    )

    assert response.status_code == 404


@pytest.mark.parametrize("model_name", ["infrastructure", "service", "equipment"])
def test_exports_hold_the_records_of_the_admins_regions_only(rf, model_name):
    own = make_in_region(model_name, OWN_REGION)
    make_in_region(model_name, OTHER_REGION)
    model_admin = admin.site._registry[type(own)]
    request = rf.get(reverse(f"admin:catalogue_{model_name}_changelist"))
    request.user = make_moderator()

    # A method of django-import-export's admin mixin, which is untyped.
    exported = model_admin.get_export_queryset(request)  # type: ignore[attr-defined]
    assert list(exported) == [own]
