from alerts import services
from core.periodic import PeriodicCommand


class Command(PeriodicCommand):
    help = (
        "Email the users of saved searches whose weekly or monthly alert is due the "
        "listings that newly match them. Run it daily or hourly (cron, or --every "
        "3600); each alert goes out once."
    )

    def run_once(self, verbosity: int) -> None:
        sent = services.alerts_send()
        if sent or verbosity > 1:
            self.stdout.write(f"{sent} search alerts queued.")
