from django.core.management.base import BaseCommand

from accounts.models import InfrastructureMembership, RegionAdministration, User
from demo.catalogue import DEMO_PASSWORD, SUPERUSER_EMAIL
from demo.requests import SME_EMAIL


class Command(BaseCommand):
    help = "Print the demo logins created by load_demo."

    def handle(self, *args, **options) -> None:
        if not User.objects.filter(email=SUPERUSER_EMAIL).exists():
            self.stdout.write("No demo users: run `manage.py load_demo` first.")
            return
        out = self.stdout.write
        out(f"\nDemo logins (password for all: {DEMO_PASSWORD})")
        out(f"  superuser      {SUPERUSER_EMAIL}")
        out(f"  SME            {SME_EMAIL}  (with access requests)")
        admins = RegionAdministration.objects.select_related("user", "region")
        for admin in admins.order_by("region_id"):
            out(f"  partner admin  {admin.user.email}  ({admin.region.display_name})")
        memberships = InfrastructureMembership.objects.select_related(
            "user", "infrastructure"
        ).order_by("infrastructure__name")
        out(
            f"  RII staff      {memberships.count()} users, one per infrastructure, e.g."
        )
        for membership in memberships[:3]:
            out(f"                 {membership.user.email}")
        out("")
