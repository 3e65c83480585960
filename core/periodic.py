"""Management commands that run once, or again every N seconds with ``--every``.

After each run a periodic command pings the task worker (``core.heartbeat``), so
that the readiness check sees whether queued tasks are run.
"""

import time

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import close_old_connections

from .heartbeat import worker_ping


class PeriodicCommand(BaseCommand):
    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--every",
            type=int,
            metavar="SECONDS",
            help="Repeat every SECONDS seconds until stopped.",
        )

    def run_once(self, verbosity: int) -> None:
        raise NotImplementedError

    def handle(self, *args, every: int | None = None, **options) -> None:
        if every is not None and every < 1:
            raise CommandError("--every must be at least 1 second.")
        try:
            while True:
                self.run_once(options["verbosity"])
                worker_ping()
                if not every:
                    return
                time.sleep(every)
                # Like a request: drop a connection the server closed meanwhile.
                close_old_connections()
        except KeyboardInterrupt:
            # Ctrl+C in `make run` stops the loop with the web server.
            return
