import pytest

from catalogue import services
from catalogue.models import SearchRecord
from catalogue.services import changes
from tests.factories import make_infrastructure

pytestmark = pytest.mark.django_db


class FakeTask:
    def __init__(self) -> None:
        self.enqueued: list[list[int] | None] = []

    def enqueue(self, ids: list[int] | None) -> None:
        self.enqueued.append(ids)


def test_a_change_to_a_few_listings_refreshes_their_search_at_commit(
    django_capture_on_commit_callbacks,
):
    listing = make_infrastructure(name="Cryo lab")
    SearchRecord.objects.all().delete()

    with django_capture_on_commit_callbacks(execute=True):
        services.search_refresh_on_commit([listing.pk])

    assert SearchRecord.objects.get(infrastructure=listing).sort_name == "cryo lab"


def test_a_change_to_many_listings_refreshes_them_in_a_background_task(
    monkeypatch, django_capture_on_commit_callbacks
):
    task = FakeTask()
    monkeypatch.setattr(changes, "search_rebuild", task)
    monkeypatch.setattr(changes, "REFRESH_IN_REQUEST_MAX", 1)
    first, second = make_infrastructure(), make_infrastructure()
    SearchRecord.objects.all().delete()

    with django_capture_on_commit_callbacks(execute=True):
        services.search_refresh_on_commit([second.pk, first.pk])
        services.search_rebuild_on_commit()

    assert task.enqueued == [sorted([first.pk, second.pk]), None]
    # Nothing was rebuilt inside the request.
    assert not SearchRecord.objects.exists()


def test_the_background_rebuild_refreshes_every_listing():
    listing = make_infrastructure()
    SearchRecord.objects.all().delete()

    changes.search_rebuild.call(None)

    assert SearchRecord.objects.filter(infrastructure=listing).exists()


def test_a_published_listing_edited_by_its_staff_is_flagged_for_review():
    listing = make_infrastructure(status="published")
    draft = make_infrastructure(status="draft")

    services.listings_changed(
        infrastructure_ids=[listing.pk, draft.pk], source=services.STAFF
    )
    services.listings_changed(infrastructure_ids=[listing.pk], source=services.ADMIN)

    listing.refresh_from_db()
    draft.refresh_from_db()
    assert listing.changed_since_review
    assert not draft.changed_since_review


def test_an_admin_edit_does_not_flag_a_listing_for_review():
    listing = make_infrastructure(status="published")

    services.listing_save(infrastructure=listing, source=services.ADMIN)

    listing.refresh_from_db()
    assert not listing.changed_since_review
