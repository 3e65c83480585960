from django.core.management.base import BaseCommand

from catalogue.models import Infrastructure
from demo.catalogue import load_demo_catalogue
from demo.requests import load_demo_requests


class Command(BaseCommand):
    help = "Load the demo catalogue and demo users (idempotent)."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--once",
            action="store_true",
            help="Do nothing if the catalogue already has infrastructures.",
        )

    def handle(self, *args, once: bool = False, **options) -> None:
        if once and Infrastructure.objects.exists():
            self.stdout.write("The catalogue already has data; demo not reloaded.")
            return
        summary = load_demo_catalogue()
        requests = load_demo_requests()
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo catalogue loaded for {len(summary.regions)} regions: "
                f"{summary.infrastructures} infrastructures, {summary.services} services, "
                f"{summary.equipment} equipment items, "
                f"{summary.good_practices} good practices, "
                f"{requests} access requests."
            )
        )
