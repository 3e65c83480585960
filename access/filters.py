"""Filters of the request lists: the staff inbox and the SME's "My requests"."""

from datetime import timedelta

import django_filters
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from catalogue.models import Infrastructure

from .models import OPEN_STATES, AccessRequest, State
from .querysets import AccessRequestQuerySet

AGE_CHOICES = [
    ("overdue", _("Overdue for an answer")),
    ("7", _("Sent in the last 7 days")),
    ("30", _("Sent in the last 30 days")),
    ("older", _("Sent more than 30 days ago")),
]


class RequestFilter(django_filters.FilterSet):
    state = django_filters.ChoiceFilter(
        label=_("State"),
        choices=[("open", _("Open")), ("closed", _("Closed")), *State.choices],
        empty_label=_("All"),
        method="filter_state",
    )
    infrastructure = django_filters.ModelChoiceFilter(
        label=_("Infrastructure"),
        queryset=Infrastructure.objects.none(),
        to_field_name="slug",
        empty_label=_("All"),
    )
    age = django_filters.ChoiceFilter(
        label=_("Age"), choices=AGE_CHOICES, empty_label=_("Any"), method="filter_age"
    )

    class Meta:
        model = AccessRequest
        fields = ["state", "infrastructure", "age"]

    def __init__(self, *args, infrastructures: QuerySet, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.filters["infrastructure"].queryset = infrastructures
        if infrastructures.count() < 2:
            del self.filters["infrastructure"]

    def filter_state(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        if value == "open":
            return queryset.filter(state__in=OPEN_STATES)
        if value == "closed":
            return queryset.exclude(state__in=OPEN_STATES)
        return queryset.filter(state=value)

    def filter_age(
        self, queryset: AccessRequestQuerySet, name: str, value: str
    ) -> QuerySet:
        now = timezone.now()
        if value == "overdue":
            return queryset.overdue(now)
        if value == "older":
            return queryset.filter(submitted_at__lt=now - timedelta(days=30))
        return queryset.filter(submitted_at__gte=now - timedelta(days=int(value)))
