from django.core.management.base import BaseCommand

from access import services


class Command(BaseCommand):
    help = (
        "Expire guests' requests left unconfirmed for 7 days, remind staff of "
        "requests unanswered after 5 working days and tell partner admins after 10. "
        "Run it every hour (cron or a scheduler); running it more often is harmless."
    )

    def handle(self, *args, **options) -> None:
        expired = services.access_requests_expire()
        reminded, escalated = services.access_requests_remind()
        self.stdout.write(
            f"{expired} expired, {reminded} reminders, {escalated} escalations."
        )
