from django.tasks import task

from .models import ImportJob
from .services import import_job_run


@task
def import_job_task(job_id: int) -> None:
    """Run a queued import (or its preview) in the task worker."""
    import_job_run(job=ImportJob.objects.get(pk=job_id))
