from django.tasks import task

from .heartbeat import worker_seen


@task
def worker_heartbeat() -> None:
    """Record that a task worker runs tasks (the readiness check reads it)."""
    worker_seen()
