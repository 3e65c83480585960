import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.postgres.search import SearchQuery
from django.db import connection
from django.forms.models import model_to_dict
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from catalogue import search, vocabulary
from catalogue.admin import FirstRowsFormSet
from catalogue.models import Concept, Region, SearchText
from tests.factories import (
    concept,
    make_equipment,
    make_infrastructure,
    make_organisation,
    make_ris3_priority,
    make_service,
    make_user,
)

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


def change_page_queries(client, services: int) -> int:
    infrastructure = make_infrastructure(name="Pilot line")
    for number in range(services):
        make_service(infrastructure=infrastructure, name=f"Service {number:02}")
        make_equipment(infrastructure=infrastructure, name=f"Instrument {number:02}")
    url = reverse("admin:catalogue_infrastructure_change", args=[infrastructure.pk])
    client.get(url)  # the session and the vocabularies' caches warmed
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    shown = min(services, FirstRowsFormSet.max_rows)
    assert f"Service {shown - 1:02}" in response.text
    assert f"Instrument {shown - 1:02}" in response.text
    return len(queries)


def test_a_listings_change_page_costs_as_many_queries_for_30_items_as_for_1(
    superuser_client,
):
    one = change_page_queries(superuser_client, 1)
    assert change_page_queries(superuser_client, 30) == one


def inline_forms(response, prefix: str) -> int:
    for inline in response.context["inline_admin_formsets"]:
        if inline.formset.prefix == prefix:
            return len(inline.formset.forms)
    raise LookupError(prefix)


def test_a_listing_with_many_items_shows_the_first_and_links_to_all_of_them(
    superuser_client,
):
    listing = make_infrastructure(name="Pilot line")
    for number in range(25):
        make_service(infrastructure=listing, name=f"Service {number:02}")
        make_equipment(infrastructure=listing, name=f"Instrument {number:02}")
    other = make_service(name="Someone else's service")
    url = reverse("admin:catalogue_infrastructure_change", args=[listing.pk])

    response = superuser_client.get(url)

    assert inline_forms(response, "services") == inline_forms(response, "equipment")
    assert inline_forms(response, "services") == 10
    assert "Service 09" in response.text
    assert "Service 10" not in response.text
    assertContains(response, "The first 10 of 25 services are shown here.")
    assertContains(response, "See all 25 equipment of this listing")
    services_url = reverse("admin:catalogue_service_changelist")
    all_services = f"{services_url}?infrastructure__id__exact={listing.pk}"
    assertContains(response, f'href="{all_services}"')
    every = superuser_client.get(all_services)
    assert every.status_code == 200
    assert "Service 24" in every.text
    assert other.name not in every.text


def test_a_listing_with_few_items_shows_them_all_without_a_link(superuser_client):
    service = make_service(name="Cleanroom access")
    url = reverse(
        "admin:catalogue_infrastructure_change", args=[service.infrastructure.pk]
    )

    response = superuser_client.get(url)

    assert inline_forms(response, "services") == 1
    assertNotContains(response, "of this listing")


def test_the_items_shown_on_a_listings_change_page_are_edited_in_place(
    superuser_client,
):
    listing = make_infrastructure(name="Pilot line")
    services = [
        make_service(infrastructure=listing, name=f"Service {number:02}")
        for number in range(25)
    ]
    url = reverse("admin:catalogue_infrastructure_change", args=[listing.pk])
    page = superuser_client.get(url)
    data = admin_form_data(page)
    data["services-0-name"] = "Renamed service"

    response = superuser_client.post(url, data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    services[0].refresh_from_db()
    assert services[0].name == "Renamed service"
    assert listing.services.count() == 25


def admin_form_data(response) -> dict:
    """What a browser would send back for an admin change page: the main form's
    and every inline form's current values."""
    forms = [response.context["adminform"].form]
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        management = formset.management_form
        forms += [management, *formset.forms]
    data: dict = {}
    for form in forms:
        for name, field in form.fields.items():
            value = form[name].value()
            key = form.add_prefix(name)
            if field.disabled or value is None:
                continue
            if isinstance(value, bool):
                if value:
                    data[key] = "on"
            elif isinstance(value, list | tuple):
                data[key] = [str(getattr(item, "pk", item)) for item in value]
            else:
                data[key] = str(getattr(value, "pk", value))
    return data


def test_anonymous_visitors_are_sent_to_the_admin_login(client):
    response = client.get(reverse("admin:catalogue_infrastructure_changelist"))
    assert response.status_code == 302
    assert reverse("admin:login") in response["Location"]


def change_in_admin(client, obj, **changes) -> None:
    """Post the admin change form of ``obj`` with its current values and
    ``changes``, as a partner admin or superuser saving the page would."""
    data = {}
    for name, value in {**model_to_dict(obj), **changes}.items():
        if value is None:
            continue
        if isinstance(value, list | tuple):
            data[name] = [getattr(item, "pk", item) for item in value]
        else:
            data[name] = getattr(value, "pk", value)
    opts = obj._meta
    url = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors


def search_finds(client, query: str, listing) -> bool:
    """Whether searching ``query`` lists ``listing`` and no listing of another
    region (a query that matches nothing may be corrected to another word)."""
    bystander = make_infrastructure(name="Bystander lab", region="DE21")
    search.refresh([bystander.pk])
    response = client.get(reverse("catalogue:infrastructure_list"), {"q": query})
    return listing.name in response.text and bystander.name not in response.text


@pytest.fixture
def refreshed(monkeypatch):
    """The listing ids each search refresh rebuilds (None: every listing)."""
    calls: list[list[int] | None] = []
    refresh = search.refresh

    def spy(ids=None):
        calls.append(None if ids is None else sorted(ids))
        return refresh(ids)

    monkeypatch.setattr(search, "refresh", spy)
    return calls


def test_saving_a_ris3_priority_refreshes_only_the_listings_that_carry_it(
    superuser_client, refreshed, django_capture_on_commit_callbacks
):
    priority = make_ris3_priority(region="ITH5")
    carrying = make_infrastructure(name="Tagged lab")
    carrying.ris3_priorities.set([priority])
    make_infrastructure(name="Untagged lab")
    search.refresh()
    refreshed.clear()

    with django_capture_on_commit_callbacks(execute=True):
        change_in_admin(
            superuser_client, priority, nace_sections=[concept("nace", "C")]
        )

    assert refreshed == [[carrying.pk]]
    response = superuser_client.get(
        reverse("catalogue:infrastructure_list"), {"nace": "C"}
    )
    assert "Tagged lab" in response.text
    assert "Untagged lab" not in response.text


def test_deleting_ris3_priorities_in_bulk_refreshes_only_their_listings(
    superuser_client, refreshed, django_capture_on_commit_callbacks
):
    priority = make_ris3_priority(region="ITH5")
    carrying = make_infrastructure()
    carrying.ris3_priorities.set([priority])
    make_infrastructure()
    refreshed.clear()

    with django_capture_on_commit_callbacks(execute=True):
        response = superuser_client.post(
            reverse("admin:catalogue_ris3priority_changelist"),
            {
                "action": "delete_selected",
                "_selected_action": [priority.pk],
                "post": "yes",
            },
        )

    assert response.status_code == 302
    assert refreshed == [[carrying.pk]]


def test_renaming_a_host_refreshes_the_search_text_of_its_listings(
    superuser_client, django_capture_on_commit_callbacks
):
    host = make_organisation(name="Old Institute")
    listing = make_infrastructure(name="Glass lab", host=host)
    search.refresh()

    with django_capture_on_commit_callbacks(execute=True):
        change_in_admin(superuser_client, host, name="Fraunhofer Quarzglas")

    assert search_finds(superuser_client, "Quarzglas", listing)


@pytest.fixture
def forget_renamed_labels():
    """The renamed term's label is cached in the process; the test's rollback puts
    the old label back in the database, so the cache is dropped after it too."""
    yield
    vocabulary.forget()


@pytest.mark.usefixtures("forget_renamed_labels")
def test_renaming_a_region_refreshes_the_search_text_of_its_listings(
    superuser_client, django_capture_on_commit_callbacks
):
    listing = make_infrastructure(name="Romagna lab", region="ITH55")
    search.refresh()
    region = Region.objects.get(code="ITH5")

    with django_capture_on_commit_callbacks(execute=True):
        change_in_admin(superuser_client, region, name_en="Emilia-Romagnaxyz Valley")

    # The search also reads region names from the vocabulary; the listing's own
    # text must name the region too, for matching and ranking.
    texts = SearchText.objects.filter(document=SearchQuery("Romagnaxyz", config="rii"))
    assert list(texts.values_list("infrastructure", flat=True)) == [listing.pk]


@pytest.mark.usefixtures("forget_renamed_labels")
def test_renaming_a_vocabulary_term_refreshes_the_listings_tagged_with_it(
    superuser_client, django_capture_on_commit_callbacks
):
    listing = make_infrastructure(name="Imaging lab")
    make_equipment(infrastructure=listing, category="electron_microscopy")
    search.refresh()
    term = concept("equipment_category", "electron_microscopy")

    with django_capture_on_commit_callbacks(execute=True):
        change_in_admin(superuser_client, term, label="Elektronenmikroskopiexyz")

    assert search_finds(superuser_client, "Elektronenmikroskopiexyz", listing)


def test_the_item_change_lists_filter_by_vocabulary_terms(superuser_client):
    testing = concept("service_type", "testing")
    wanted = make_service(name="Tensile testing", service_type="testing")
    other = Concept.objects.filter(scheme="service_type").exclude(pk=testing.pk)[0]
    make_service(name="Consultancy on alloys", service_type=other.code)
    url = reverse("admin:catalogue_service_changelist")

    response = superuser_client.get(url, {"service_type__id__exact": testing.pk})

    assert response.status_code == 200
    assertContains(response, wanted.name)
    assertNotContains(response, "Consultancy on alloys")
    assertContains(response, f"?service_type__id__exact={testing.pk}")


@pytest.mark.parametrize("model", ["infrastructure", "service", "equipment"])
def test_the_change_lists_run_the_same_queries_for_one_and_many_rows(
    superuser_client, model
):
    url = reverse(f"admin:catalogue_{model}_changelist")
    make_equipment(infrastructure=make_service().infrastructure)
    superuser_client.get(url)
    with CaptureQueriesContext(connection) as one:
        superuser_client.get(url)
    for _ in range(15):
        make_equipment(infrastructure=make_service().infrastructure)
    with CaptureQueriesContext(connection) as many:
        response = superuser_client.get(url)

    assert response.status_code == 200
    assert len(many) == len(one)
    counts = [q["sql"] for q in many.captured_queries if "COUNT(*)" in q["sql"]]
    assert len(counts) == 1  # the rows are counted once, not again "in all"
