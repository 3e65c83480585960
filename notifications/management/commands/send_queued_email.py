import time

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import close_old_connections

from notifications.services import email_enqueue_due


class Command(BaseCommand):
    help = (
        "Enqueue delivery of every unsent email whose next attempt is overdue, so "
        "that a lost task or a restarted worker loses no email. Run it periodically "
        "beside `manage.py db_worker`, or with --every to keep it running."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--every",
            type=int,
            metavar="SECONDS",
            help="Repeat every SECONDS seconds until stopped.",
        )

    def handle(self, *args, every: int | None = None, **options) -> None:
        if every is not None and every < 1:
            raise CommandError("--every must be at least 1 second.")
        try:
            while True:
                count = email_enqueue_due()
                if count or options["verbosity"] > 1:
                    self.stdout.write(f"Enqueued {count} queued email(s).")
                if not every:
                    return
                time.sleep(every)
                # Like a request: drop a connection the server closed meanwhile.
                close_old_connections()
        except KeyboardInterrupt:
            # Ctrl+C in `make run` stops the sweep with the web server.
            return
