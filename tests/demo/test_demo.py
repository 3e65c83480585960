import pytest
from django.core.management import call_command

from accounts.models import InfrastructureMembership, RegionAdministration, User
from catalogue.models import Equipment, GoodPractice, Infrastructure, Region, Service
from demo.catalogue import SUPERUSER_EMAIL

pytestmark = pytest.mark.django_db


def catalogue_counts() -> dict[str, int]:
    return {
        "infrastructures": Infrastructure.objects.count(),
        "services": Service.objects.count(),
        "equipment": Equipment.objects.count(),
        "good_practices": GoodPractice.objects.count(),
        "users": User.objects.count(),
        "memberships": InfrastructureMembership.objects.count(),
    }


def test_demo_catalogue_covers_every_partner_region_and_loads_idempotently():
    first = catalogue_counts()
    call_command("load_demo", verbosity=0)
    assert catalogue_counts() == first

    assert first["infrastructures"] >= 40
    assert first["services"] >= 120
    assert first["equipment"] >= 200
    assert first["good_practices"] >= 8
    for region in Region.objects.partners():
        assert Infrastructure.objects.in_region(region.code).count() >= 5, region
        assert region.ris3_priorities.exists(), region
    statuses = set(Infrastructure.objects.values_list("status", flat=True))
    assert {"published", "draft", "pending"} <= statuses
    published = Infrastructure.objects.published().count()
    assert published >= 0.8 * first["infrastructures"]
    assert GoodPractice.objects.filter(title__icontains="MIST E-R").exists()


def test_every_demo_infrastructure_has_services_equipment_and_a_manager():
    for rii in Infrastructure.objects.all():
        assert rii.services.count() >= 3, rii
        assert rii.equipment.count() >= 5, rii
        assert rii.memberships.filter(role="manager").exists(), rii


def test_demo_users_are_a_superuser_partner_admins_and_staff():
    assert User.objects.get(email=SUPERUSER_EMAIL).is_superuser
    admins = RegionAdministration.objects.all()
    assert set(admins.values_list("region_id", flat=True)) == set(
        Region.objects.partners().values_list("code", flat=True)
    )
    assert all(a.user.groups.filter(name="Partner admin").exists() for a in admins)


def test_load_demo_once_does_not_reload_an_existing_catalogue(capsys):
    Infrastructure.objects.update(summary="Edited by a partner admin.")
    call_command("load_demo", once=True)
    assert "not reloaded" in capsys.readouterr().out
    assert not Infrastructure.objects.exclude(
        summary="Edited by a partner admin."
    ).exists()
