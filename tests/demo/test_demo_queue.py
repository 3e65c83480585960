import pytest

from accounts.models import User
from catalogue import services
from catalogue.models import Region
from demo.catalogue import partner_admin_email
from moderation import queue

pytestmark = pytest.mark.django_db


def test_the_demo_gives_every_partner_admin_a_queue_with_changes_to_review():
    pending = 0
    for region in Region.objects.partners():
        admin = User.objects.get(email=partner_admin_email(region.code))
        sections = queue.queue_sections(admin)
        assert sections["unverified"].exists(), region
        pending += sections["pending"].count()
        [changed] = sections["changed"]
        changes = services.changes_since_approval(changed)
        assert changes is not None
        [change] = changes
        assert "short notice" in change.after
    assert pending >= 2
