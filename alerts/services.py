"""Saving searches, and emailing their users what newly matches them."""

import datetime

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.http import QueryDict
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from catalogue.models import Infrastructure
from catalogue.search import search_catalogue
from notifications.services import email_queue

from .models import Frequency, SavedSearch

INTERVALS = {
    Frequency.WEEKLY: datetime.timedelta(days=7),
    Frequency.MONTHLY: datetime.timedelta(days=30),
}
# Listings named in one alert; the email links to the search for the rest.
ALERT_LISTINGS = 10
MAX_SAVED_SEARCHES = 50
SALT = "alerts.unsubscribe"


def saved_search_create(
    *, user: User, params: dict[str, list[str]], name: str, frequency: str
) -> SavedSearch:
    """Save the search of ``params`` for ``user``; ValidationError if it is saved
    already or the user has too many."""
    if user.saved_searches.count() >= MAX_SAVED_SEARCHES:
        raise ValidationError(
            _("You can save up to %(n)s searches; delete one first.")
            % {"n": MAX_SAVED_SEARCHES}
        )
    search = SavedSearch(
        user=user,
        name=name.strip() or _("My search"),
        query=SavedSearch.clean_query(params),
        frequency=frequency,
        checked_at=timezone.now(),
    )
    search.full_clean(exclude=["user"], validate_unique=False)
    try:
        with transaction.atomic():
            search.save()
    except IntegrityError as error:
        raise ValidationError(_("You have already saved this search.")) from error
    return search


def saved_search_update(*, search: SavedSearch, frequency: str) -> SavedSearch:
    search.frequency = frequency
    search.full_clean(exclude=["user"], validate_unique=False)
    search.save(update_fields=["frequency", "updated_at"])
    return search


def new_matches(search: SavedSearch, since: datetime.datetime) -> QuerySet:
    """Published listings matching ``search`` that were published, or gained a
    service, after ``since``."""
    results = search_catalogue(QueryDict(search.query))
    if not results.total:
        return Infrastructure.objects.none()
    return (
        Infrastructure.objects.published()
        .filter(pk__in=results.ordered_ids())
        .filter(Q(published_at__gt=since) | Q(services__created_at__gt=since))
        .distinct()
        .order_by("-published_at", "pk")
    )


def unsubscribe_token(search: SavedSearch) -> str:
    return signing.dumps(search.pk, salt=SALT)


def saved_search_of_token(token: str) -> SavedSearch | None:
    try:
        pk = signing.loads(token, salt=SALT)
    except signing.BadSignature:
        return None
    return SavedSearch.objects.filter(pk=pk).select_related("user").first()


def saved_search_unsubscribe(*, search: SavedSearch) -> None:
    search.frequency = Frequency.NEVER
    search.save(update_fields=["frequency", "updated_at"])


def due_searches(now: datetime.datetime) -> QuerySet:
    return SavedSearch.objects.filter(
        Q(frequency=Frequency.WEEKLY, checked_at__lte=now - INTERVALS[Frequency.WEEKLY])
        | Q(
            frequency=Frequency.MONTHLY,
            checked_at__lte=now - INTERVALS[Frequency.MONTHLY],
        ),
        user__is_active=True,
    ).select_related("user")


def alerts_send(*, now: datetime.datetime | None = None) -> int:
    """Email each due saved search's user what newly matches it (nothing if
    nothing does); return how many alerts were queued. Each search is checked in
    its own transaction, locked, so that two runs never send one twice."""
    now = now or timezone.now()
    sent = 0
    for pk in due_searches(now).values_list("pk", flat=True):
        with transaction.atomic():
            search = (
                due_searches(now)
                .select_for_update(of=("self",), skip_locked=True)
                .filter(pk=pk)
                .first()
            )
            if search is None:
                continue
            matches = new_matches(search, since=search.checked_at)
            listings = list(matches[:ALERT_LISTINGS])
            if listings:
                _email_alert(search, listings, total=matches.count())
                search.last_sent_at = now
                sent += 1
            search.checked_at = now
            search.save(update_fields=["checked_at", "last_sent_at", "updated_at"])
    return sent


def _email_alert(search: SavedSearch, listings: list, *, total: int) -> None:
    site = settings.PORTAL_SITE_URL.rstrip("/")
    unsubscribe = site + reverse("alerts:unsubscribe", args=[unsubscribe_token(search)])
    email_queue(
        to=[search.user.email],
        template="alerts/email/alert",
        context={
            "search": search,
            "listings": listings,
            "total": total,
            "more": total - len(listings),
            "search_url": site + search.get_absolute_url(),
            "manage_url": site + reverse("alerts:saved_searches"),
            "unsubscribe_url": unsubscribe,
        },
        language=search.user.preferred_language,
        headers={
            # RFC 2369 and RFC 8058: mail clients offer a one-click unsubscribe.
            "List-Unsubscribe": f"<{unsubscribe}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )
