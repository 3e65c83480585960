"""The shortlist of infrastructures an SME means to send one brief to: kept in the
session for a guest, in the account when signed in (a guest's list joins the account
at sign-in)."""

from django.db.models import QuerySet
from django.http import HttpRequest

from catalogue.models import Infrastructure

from .models import ShortlistEntry

SESSION_KEY = "access_shortlist"
MAX_ENTRIES = 20


class ShortlistFull(Exception):
    pass


def ids(request: HttpRequest) -> list[int]:
    if request.user.is_authenticated:
        _merge_session(request)
        return list(
            ShortlistEntry.objects.filter(user=request.user).values_list(
                "infrastructure_id", flat=True
            )
        )
    return list(request.session.get(SESSION_KEY, []))


def infrastructures(request: HttpRequest) -> QuerySet:
    return (
        Infrastructure.objects.published()
        .filter(pk__in=ids(request))
        .select_related("host", "region")
        .order_by("name")
    )


def add(request: HttpRequest, infrastructure: Infrastructure) -> None:
    current = ids(request)
    if infrastructure.pk in current:
        return
    if len(current) >= MAX_ENTRIES:
        raise ShortlistFull
    if request.user.is_authenticated:
        ShortlistEntry.objects.get_or_create(
            user=request.user, infrastructure=infrastructure
        )
    else:
        request.session[SESSION_KEY] = [*current, infrastructure.pk]


def remove(request: HttpRequest, infrastructure_ids: list[int]) -> None:
    if request.user.is_authenticated:
        ShortlistEntry.objects.filter(
            user=request.user, infrastructure_id__in=infrastructure_ids
        ).delete()
    else:
        request.session[SESSION_KEY] = [
            pk for pk in ids(request) if pk not in infrastructure_ids
        ]


def _merge_session(request: HttpRequest) -> None:
    assert request.user.is_authenticated  # a guest's list joins their account
    saved = request.session.pop(SESSION_KEY, None)
    if saved:
        ShortlistEntry.objects.bulk_create(
            [
                ShortlistEntry(user=request.user, infrastructure_id=pk)
                for pk in saved[:MAX_ENTRIES]
            ],
            ignore_conflicts=True,
        )
