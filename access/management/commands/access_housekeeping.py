from access import services
from core.periodic import PeriodicCommand


class Command(PeriodicCommand):
    help = (
        "Expire guests' requests left unconfirmed for 7 days, remind staff of "
        "requests unanswered after 5 working days and tell partner admins after 10. "
        "Run it every hour (cron, or --every 3600); each reminder goes out once."
    )

    def run_once(self, verbosity: int) -> None:
        expired = services.access_requests_expire()
        reminded, escalated = services.access_requests_remind()
        if expired or reminded or escalated or verbosity > 1:
            self.stdout.write(
                f"{expired} expired, {reminded} reminders, {escalated} escalations."
            )
