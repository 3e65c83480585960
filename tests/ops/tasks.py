"""A task that records each run, for the tests of several workers."""

import threading

from django.tasks import task

RUNS: list[int] = []
_lock = threading.Lock()


@task
def record_run(number: int) -> None:
    with _lock:
        RUNS.append(number)
