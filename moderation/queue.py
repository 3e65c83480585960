"""The moderation queue: what waits for a partner admin's attention in their
regions, and the number of listings per region and status."""

import datetime
from typing import Any

from django.db import models
from django.db.models import Count, Q
from django.utils import timezone

from access.models import AccessRequest
from accounts import permissions
from accounts.models import User
from catalogue.models import Infrastructure, Region

Status = Infrastructure.Status
# A published listing nobody confirmed for this long is due for a check.
VERIFICATION_INTERVAL = datetime.timedelta(days=365)


def verification_due_before() -> datetime.datetime:
    return timezone.now() - VERIFICATION_INTERVAL


def queue_sections(user: User) -> dict[str, models.QuerySet]:
    """The listings (and access requests) waiting for ``user``'s attention."""
    listings = Infrastructure.objects.moderated_by(user).select_related(
        "region", "host"
    )
    sections: dict[str, models.QuerySet] = {
        "pending": listings.awaiting_review().order_by("updated_at", "pk"),
        "changed": listings.changed_after_review().order_by("updated_at", "pk"),
        "unverified": listings.unverified_since(verification_due_before()).order_by(
            models.F("verified_at").asc(nulls_first=True), "pk"
        ),
    }
    sections["overdue"] = overdue_access_requests(user)
    return sections


def overdue_access_requests(user: User) -> models.QuerySet:
    """Access requests to ``user``'s regions overdue for a first response."""
    requests = AccessRequest.objects.overdue().select_related("infrastructure")
    return requests.filter(
        permissions.administered_q(user, "infrastructure__region")
    ).order_by("response_due_at", "pk")


COUNTED_STATUSES = tuple(Status.values)


def dashboard_regions(user: User) -> models.QuerySet:
    """The regions ``user`` administers; the partner regions for a superuser."""
    codes = permissions.administered_codes(user)
    if codes is None:
        return Region.objects.partners()
    return Region.objects.filter(code__in=codes)


def region_counts(user: User) -> list[Region]:
    """Each region ``user`` administers (the partner regions for a superuser), with
    the number of its listings in each status, changed since review and unverified
    (attributes ``count_<status>``, ``count_changed``, ``count_unverified``).

    A region counts the listings of every region under it. The counts come from one
    query, grouped by the listings' own region and added up here: a subquery per
    region and count had to scan the listings once for each of them."""
    regions = list(dashboard_regions(user).order_by("code"))
    if not regions:
        return regions
    due = verification_due_before()
    counts = {
        status: Count("pk", filter=Q(status=status)) for status in COUNTED_STATUSES
    }
    counts["changed"] = Count(
        "pk", filter=Q(status=Status.PUBLISHED, changed_since_review=True)
    )
    counts["unverified"] = Count(
        "pk",
        filter=Q(status=Status.PUBLISHED)
        & (Q(verified_at__lt=due) | Q(verified_at__isnull=True)),
    )
    groups = (
        Infrastructure.objects.filter(
            permissions.within("region", [region.code for region in regions])
        )
        .order_by()
        .values("region_id")
        .annotate(**counts)
    )
    by_region: dict[str, Any] = {row["region_id"]: row for row in groups}
    for region in regions:
        inside = [
            row for code, row in by_region.items() if code.startswith(region.code)
        ]
        for name in counts:
            setattr(region, f"count_{name}", sum(row[name] for row in inside))
    return regions
