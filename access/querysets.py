from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.db import models
from django.db.models import OuterRef, Q
from django.db.models.functions import Coalesce, Now
from django.utils import timezone

from accounts import permissions
from accounts.permissions import AnyUser

if TYPE_CHECKING:
    # The model of the QuerySet's type argument, which ruff does not read.
    from .models import AccessRequest  # noqa: F401

REMINDER_WORKING_DAYS = 5
ESCALATION_WORKING_DAYS = 10
MEDIAN_WINDOW = timedelta(days=365)
MEDIAN_MINIMUM_REQUESTS = 3


def add_working_days(start: datetime, days: int) -> datetime:
    """``start`` plus ``days`` working days (Monday to Friday), same time of day."""
    moment = start
    while days > 0:
        moment += timedelta(days=1)
        if moment.weekday() < 5:
            days -= 1
    return moment


class Median(models.Aggregate):
    function = "percentile_cont"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = models.DurationField()


class AccessRequestQuerySet(models.QuerySet["AccessRequest"]):
    def confirmed(self) -> "AccessRequestQuerySet":
        return self.exclude(state=self.model.State.UNCONFIRMED)

    def open(self) -> "AccessRequestQuerySet":
        from .models import OPEN_STATES

        return self.filter(state__in=OPEN_STATES)

    def awaiting_first_response(self) -> "AccessRequestQuerySet":
        """Confirmed requests that no one at the infrastructure has answered yet."""
        return self.filter(
            state__in=[self.model.State.SUBMITTED, self.model.State.IN_REVIEW],
            first_response_at__isnull=True,
        )

    def overdue(self, now: datetime | None = None) -> "AccessRequestQuerySet":
        """Requests with no staff response after the reminder deadline
        (``REMINDER_WORKING_DAYS`` working days after submission)."""
        return self.awaiting_first_response().filter(
            response_due_at__lt=now or timezone.now()
        )

    def for_staff(self, user: AnyUser) -> "AccessRequestQuerySet":
        """Confirmed requests to the infrastructures ``user`` is manager or editor of;
        a superuser sees every confirmed request."""
        condition = permissions.editable_q(user, "infrastructure")
        requests = self.confirmed()
        return requests if condition is None else requests.filter(condition)

    def for_requester(self, user: AnyUser) -> "AccessRequestQuerySet":
        """The requests ``user`` sent, and the confirmed ones a guest sent from an
        address the user has since confirmed as theirs."""
        return self.filter(permissions.requested_by_q(user)).confirmed()

    def with_list_relations(self) -> "AccessRequestQuerySet":
        """What a list row shows, with ``is_overdue``."""
        overdue = Q(
            state__in=[self.model.State.SUBMITTED, self.model.State.IN_REVIEW],
            first_response_at__isnull=True,
            response_due_at__lt=Now(),
        )
        return self.select_related("infrastructure", "service", "equipment").annotate(
            is_overdue=models.ExpressionWrapper(
                overdue, output_field=models.BooleanField()
            )
        )

    def median_first_response(self, now: datetime | None = None) -> timedelta | None:
        """The median time to first response over the last 12 months, or None while
        fewer than ``MEDIAN_MINIMUM_REQUESTS`` requests were sent. A request still
        unanswered counts with the time it has waited so far."""
        result = self._answerable(now).aggregate(
            count=models.Count("pk"), median=_median_of_first_response()
        )
        if result["count"] < MEDIAN_MINIMUM_REQUESTS:
            return None
        return result["median"]

    def median_first_response_by_infrastructure(
        self, now: datetime | None = None
    ) -> dict[int, timedelta]:
        """``median_first_response`` of each infrastructure of these requests, in
        one statement; an infrastructure with too few requests is left out."""
        rows = (
            self._answerable(now)
            .order_by()
            .values("infrastructure")
            .annotate(count=models.Count("pk"), median=_median_of_first_response())
        )
        return {
            row["infrastructure"]: row["median"]
            for row in rows
            if row["count"] >= MEDIAN_MINIMUM_REQUESTS
        }

    def _answerable(self, now: datetime | None) -> "AccessRequestQuerySet":
        """The requests of the last 12 months a response was due to."""
        since = (now or timezone.now()) - MEDIAN_WINDOW
        return (
            self.confirmed()
            .filter(submitted_at__gte=since)
            # Withdrawn before anyone answered: no response was ever due.
            .exclude(state=self.model.State.WITHDRAWN, first_response_at__isnull=True)
        )


def _median_of_first_response() -> Median:
    """A request still unanswered counts with the time it has waited so far."""
    return Median(Coalesce("first_response_at", Now()) - models.F("submitted_at"))


def open_request_count() -> Coalesce:
    """For an infrastructure queryset: how many of its requests are open."""
    from .models import OPEN_STATES, AccessRequest

    counts = (
        AccessRequest.objects.filter(
            infrastructure=OuterRef("pk"), state__in=OPEN_STATES
        )
        .order_by()
        .values("infrastructure")
        .annotate(count=models.Count("pk"))
        .values("count")
    )
    return Coalesce(models.Subquery(counts), 0)
