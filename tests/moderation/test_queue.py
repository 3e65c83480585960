"""The moderation queue and the counts per region and status."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains

from accounts.models import RegionAdministration
from catalogue.models import Infrastructure, Region
from tests.factories import make_infrastructure, make_staff, make_user
from tests.moderation.conftest import OTHER_REGION, make_moderator, make_superuser
from tests.moderation.objects import make_access_request, make_listing

pytestmark = pytest.mark.django_db

QUEUE_URL = "admin:catalogue_infrastructure_moderation"
LONG_AGO = timezone.now() - timedelta(days=400)


def fill_queue(region: str, rows: int, prefix: str) -> None:
    """``rows`` items in each section of the queue of ``region``."""
    for n in range(rows):
        make_listing(region, status="pending", name=f"{prefix} pending {n}")
        make_listing(
            region,
            changed_since_review=True,
            verified_at=timezone.now(),
            name=f"{prefix} changed {n}",
        )
        make_listing(region, verified_at=LONG_AGO, name=f"{prefix} unverified {n}")
        make_access_request(
            infrastructure=make_listing(
                region, verified_at=timezone.now(), name=f"{prefix} requested {n}"
            ),
            overdue=True,
        )


def section_names(response, key: str) -> list[str]:
    for section_key, _title, _count, rows in response.context["sections"]:
        if section_key == key:
            return [
                getattr(row, "name", None) or row.infrastructure.name for row in rows
            ]
    raise LookupError(key)


def test_the_queue_lists_what_waits_in_the_admins_regions(client, moderator):
    fill_queue("ITH5", 1, "Own")
    fill_queue(OTHER_REGION, 1, "Other")
    make_listing("ITH5", verified_at=timezone.now(), name="Own recently verified")
    make_access_request(
        infrastructure=make_listing(
            "ITH5", verified_at=timezone.now(), name="Own in time"
        )
    )
    client.force_login(moderator)

    response = client.get(reverse(QUEUE_URL))

    assert section_names(response, "pending") == ["Own pending 0"]
    assert section_names(response, "changed") == ["Own changed 0"]
    assert section_names(response, "unverified") == ["Own unverified 0"]
    assert section_names(response, "overdue") == ["Own requested 0"]
    assertNotContains(response, "Other")


def test_the_queue_says_what_each_listing_still_lacks(client, moderator):
    listing = make_listing("ITH5", status="pending", name="Imported lab")
    listing.summary_from_description = True
    listing.save()
    client.force_login(moderator)

    response = client.get(reverse(QUEUE_URL))

    assertContains(response, "Still missing")
    assertContains(response, "at least 3 services")
    assertContains(response, "Summary taken from the description.")


def test_the_queue_page_runs_the_same_queries_for_one_and_many_rows(
    client, moderator, django_assert_num_queries
):
    fill_queue("ITH5", 1, "First")
    client.force_login(moderator)
    url = reverse(QUEUE_URL)
    with django_assert_num_queries(15):
        one = client.get(url)
    fill_queue("ITH5", 25, "More")
    with django_assert_num_queries(15):
        many = client.get(url)

    assertContains(one, "First pending 0")
    assertContains(many, "Pending review (26)")
    assert len(section_names(many, "pending")) == 20
    assertContains(many, "?queue=pending")


def test_counts_per_region_and_status_include_the_regions_below(client, moderator):
    make_listing("ITH5", status="pending")
    Infrastructure.objects.filter(pk=make_listing("ITH5").pk).update(region="ITH54")
    make_listing("ITH5", status="draft")
    make_listing("ITH5", changed_since_review=True)
    make_listing(OTHER_REGION, status="pending")
    client.force_login(moderator)

    response = client.get(reverse(QUEUE_URL))

    [(region, counts)] = response.context["regions"]
    assert region.code == "ITH5"
    assert dict(counts) == {
        "draft": 1,
        "pending": 1,
        "changes_requested": 0,
        "published": 2,
        "archived": 0,
    }
    changelist = reverse("admin:catalogue_infrastructure_changelist")
    assertContains(response, f"{changelist}?within=ITH5&amp;status__exact=published")


def test_a_region_counts_its_listings_also_when_a_region_above_it_is_listed(
    client, moderator
):
    RegionAdministration.objects.create(user=moderator, region_id="IT")
    make_listing("ITH5", status="pending")
    make_listing("ITH5", changed_since_review=True, verified_at=LONG_AGO)
    make_infrastructure(region="ITC11", status="pending")
    make_listing(OTHER_REGION, status="pending")
    client.force_login(moderator)

    response = client.get(reverse(QUEUE_URL))

    rows = {
        region.code: (dict(counts), region)
        for region, counts in response.context["regions"]
    }
    assert list(rows) == ["IT", "ITH5"]
    italy, italy_region = rows["IT"]
    ith5, ith5_region = rows["ITH5"]
    assert (italy["pending"], italy["published"]) == (2, 1)
    assert (ith5["pending"], ith5["published"]) == (1, 1)
    assert (italy_region.count_changed, italy_region.count_unverified) == (1, 1)
    assert (ith5_region.count_changed, ith5_region.count_unverified) == (1, 1)


def test_a_superuser_sees_the_counts_of_every_partner_region(client):
    client.force_login(make_superuser())

    response = client.get(reverse(QUEUE_URL))

    assert [region.code for region, _ in response.context["regions"]] == list(
        Region.objects.partners().values_list("code", flat=True)
    )


@pytest.mark.parametrize(
    ("queue", "expected"),
    [
        ("pending", {"Own pending 0"}),
        ("changed", {"Own changed 0"}),
        ("unverified", {"Own unverified 0"}),
    ],
)
def test_the_change_list_filters_by_queue_section(client, moderator, queue, expected):
    fill_queue("ITH5", 1, "Own")
    fill_queue(OTHER_REGION, 1, "Other")
    client.force_login(moderator)

    response = client.get(
        reverse("admin:catalogue_infrastructure_changelist"),
        {"queue": queue, "within": "ITH5"},
    )

    shown = {listing.name for listing in response.context["cl"].result_list}
    assert shown == expected


def test_the_admin_index_links_to_the_moderation_page(client, moderator):
    client.force_login(moderator)

    response = client.get(reverse("admin:index"))

    assertContains(response, reverse(QUEUE_URL))


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("anonymous", 302),
        ("sme", 302),
        ("staff_of_this_rii", 302),
        ("staff_of_other_rii", 302),
        ("partner_admin_of_region", 200),
        ("partner_admin_of_other_region", 200),
        ("superuser", 200),
    ],
)
def test_the_moderation_page_is_for_partner_admins_and_superusers(
    client, own, role, status
):
    user = {
        "anonymous": lambda: None,
        "sme": lambda: make_user(),
        "staff_of_this_rii": lambda: make_staff(infrastructure=own),
        "staff_of_other_rii": lambda: make_staff(
            infrastructure=make_listing(OTHER_REGION)
        ),
        "partner_admin_of_region": make_moderator,
        "partner_admin_of_other_region": lambda: make_moderator(region=OTHER_REGION),
        "superuser": make_superuser,
    }[role]()
    if user:
        client.force_login(user)

    response = client.get(reverse(QUEUE_URL))

    assert response.status_code == status
    if role == "partner_admin_of_other_region":
        assertNotContains(response, own.name)
    elif status == 200:
        assertContains(response, own.name)


def test_staff_users_without_catalogue_permissions_are_refused(client):
    client.force_login(make_user(is_staff=True))

    assert client.get(reverse(QUEUE_URL)).status_code == 403


def test_the_listing_change_list_runs_the_same_queries_for_one_and_many_rows(
    client, moderator, django_assert_num_queries
):
    make_listing("ITH5", status="pending", name="First lab")
    client.force_login(moderator)
    url = reverse("admin:catalogue_infrastructure_changelist")
    with django_assert_num_queries(12):
        one = client.get(url)
    for n in range(30):
        make_listing("ITH5", status="pending", name=f"Lab {n}")
    with django_assert_num_queries(12):
        many = client.get(url)

    assertContains(one, "First lab")
    assertContains(many, "Lab 29")
