"""The task worker's heartbeat: proof that queued tasks are run.

Every periodic job (``core.periodic.PeriodicCommand``: the email sweep every
minute) enqueues a small task after each of its runs; a worker that runs it
records the time. ``/readyz`` fails when that time is too old: the worker is
down, stuck, or nothing enqueues pings (the periodic jobs are down).
"""

from datetime import datetime, timedelta

from django.utils import timezone

from .models import Heartbeat

WORKER = "task worker"
# A ping still unanswered after this long is taken as lost, and sent again.
PING_LOST_AFTER = timedelta(minutes=10)


def worker_seen() -> None:
    Heartbeat.objects.update_or_create(
        name=WORKER, defaults={"seen_at": timezone.now()}
    )


def worker_ping() -> None:
    """Enqueue a heartbeat for the task worker, unless one is already waiting."""
    from .tasks import worker_heartbeat

    now = timezone.now()
    beat = Heartbeat.objects.filter(name=WORKER).first()
    if (
        beat is not None
        and beat.enqueued_at is not None
        and (beat.seen_at is None or beat.seen_at < beat.enqueued_at)
        and now - beat.enqueued_at < PING_LOST_AFTER
    ):
        return
    Heartbeat.objects.update_or_create(name=WORKER, defaults={"enqueued_at": now})
    worker_heartbeat.enqueue()


def worker_last_seen() -> datetime | None:
    return (
        Heartbeat.objects.filter(name=WORKER).values_list("seen_at", flat=True).first()
    )
