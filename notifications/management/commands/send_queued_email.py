from core.periodic import PeriodicCommand
from notifications.services import email_enqueue_due


class Command(PeriodicCommand):
    help = (
        "Enqueue delivery of every unsent email whose next attempt is overdue, so "
        "that a lost task or a restarted worker loses no email. Run it periodically "
        "beside `manage.py db_worker`, or with --every to keep it running."
    )

    def run_once(self, verbosity: int) -> None:
        count = email_enqueue_due()
        if count or verbosity > 1:
            self.stdout.write(f"Enqueued {count} queued email(s).")
