"""What follows a change to the catalogue: the one place that decides it.

Every write to a listing, its services, equipment, photos or files, and to what
listings name (hosts, regions, vocabulary terms, RIS3 priorities), ends here:
search records are refreshed once the change commits, a published listing that its
staff or an import changed is flagged for its partner admin's review, and the
change history records why.
"""

from collections.abc import Iterable
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from core.pagecache import pages_changed

from .. import search
from ..models import Infrastructure, InfrastructureStatus
from ..tasks import search_rebuild

# Beyond this many listings, a refresh runs as a background task instead of
# inside the request that caused it.
REFRESH_IN_REQUEST_MAX = 200
# Listings changed in bulk are marked and refreshed this many at a time.
BULK_BATCH = 1000


@dataclass(frozen=True)
class Source:
    """Who changed a listing, and what that means for its review."""

    name: str
    # History reason of the saved versions; None leaves simple-history's default.
    reason: str | None
    # A published listing's change shows at once and waits for a partner admin.
    needs_review: bool


STAFF = Source("staff", reason=None, needs_review=True)
# Imports write their history in bulk, with their own reason.
IMPORT = Source("import", reason=None, needs_review=True)
ADMIN = Source("admin", reason=None, needs_review=False)
DEMO = Source("demo", reason=None, needs_review=False)


def listing_save(
    *,
    infrastructure: Infrastructure,
    source: Source,
    update_fields: Iterable[str] | None = None,
) -> None:
    """Save a listing changed by ``source`` and set off what follows (see
    ``listings_changed``); a published listing changed by its staff or an import
    is flagged as changed since review in the same save."""
    fields = None if update_fields is None else {*update_fields, "updated_at"}
    if source.needs_review and infrastructure.status == InfrastructureStatus.PUBLISHED:
        infrastructure.changed_since_review = True
        if fields is not None:
            fields.add("changed_since_review")
    if source.reason is not None:
        infrastructure._change_reason = source.reason  # type: ignore[attr-defined]
    infrastructure.save(update_fields=fields)
    # The reason was this save's; a later save of the same object gives its own.
    vars(infrastructure).pop("_change_reason", None)
    search_refresh_on_commit([infrastructure.pk])


def listings_changed(*, infrastructure_ids: Iterable[int], source: Source) -> None:
    """Something of these listings other than their own row changed (a service, an
    equipment item, a photo, a tag): mark them updated, flag the published ones for
    review when ``source`` needs it, and refresh their search records."""
    ids = sorted(set(infrastructure_ids))
    if not ids:
        return
    _mark_changed(ids, source)
    search_refresh_on_commit(ids)


def listings_changed_in_bulk(
    *, infrastructure_ids: Iterable[int], source: Source
) -> None:
    """As ``listings_changed``, for a writer of thousands of listings outside a
    request whose writes are committed (an import, in its task or command): the
    listings are marked and their search records refreshed now, a batch at a
    time, so that they are searchable when the writer reports done."""
    ids = sorted(set(infrastructure_ids))
    for start in range(0, len(ids), BULK_BATCH):
        batch = ids[start : start + BULK_BATCH]
        with transaction.atomic():
            _mark_changed(batch, source)
            search.refresh(batch)


def _mark_changed(ids: list[int], source: Source) -> None:
    """Mark these listings updated; flag the published ones for review when
    ``source`` needs it."""
    listings = Infrastructure.objects.filter(pk__in=ids)
    listings.update(updated_at=timezone.now())
    pages_changed()
    if source.needs_review:
        listings.filter(status=InfrastructureStatus.PUBLISHED).update(
            changed_since_review=True
        )


def search_refresh_on_commit(infrastructure_ids: Iterable[int]) -> None:
    """Refresh the search records of these listings once the change commits: at
    once for a few, in a background task for many."""
    ids = sorted(set(infrastructure_ids))
    if not ids:
        return
    pages_changed()
    if len(ids) > REFRESH_IN_REQUEST_MAX:
        transaction.on_commit(lambda: search_rebuild.enqueue(ids))
    else:
        transaction.on_commit(lambda: search.refresh(ids))


def search_rebuild_on_commit() -> None:
    """Rebuild every search record, in a background task, once the change commits."""
    pages_changed()
    transaction.on_commit(lambda: search_rebuild.enqueue(None))


def named_references_changed(*, condition: Q) -> None:
    """A host, region, vocabulary term or RIS3 priority that listings name was
    renamed, recoded or removed: refresh the listings ``condition`` selects."""
    ids = Infrastructure.objects.filter(condition).values_list("pk", flat=True)
    search_refresh_on_commit(ids.distinct())
