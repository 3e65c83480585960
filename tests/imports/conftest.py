import pytest

from accounts.models import RegionAdministration, User
from tests.factories import (
    make_company_member,
    make_infrastructure,
    make_moderator,
    make_staff,
    make_user,
)

ROLES = [
    "anonymous",
    "sme",
    "staff_of_rii",
    "staff_of_other_rii",
    "partner_admin_of_region",
    "partner_admin_of_other_region",
    "superuser",
]
IMPORTERS = {"partner_admin_of_region", "partner_admin_of_other_region", "superuser"}


def use_import_settings(settings, upload_folder) -> None:
    """Admin pages without a second factor, tasks run at once, uploads kept in
    ``upload_folder``."""
    settings.PORTAL_REQUIRE_ADMIN_MFA = False
    settings.TASKS = {
        "default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}
    }
    settings.STORAGES = {
        **settings.STORAGES,
        "private": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(upload_folder), "base_url": None},
        },
    }


@pytest.fixture(autouse=True)
def _imports_settings(settings, tmp_path):
    use_import_settings(settings, tmp_path / "private")


def make_importer(*, region: str = "ITH5", also: tuple[str, ...] = ()) -> User:
    """A partner admin of ``region`` (and of the regions ``also``), in their group."""
    user = make_moderator(region=region)
    for code in also:
        RegionAdministration.objects.create(user=user, region_id=code)
    return user


def make_role(role: str) -> User | None:
    """A user in ``role`` towards a listing of ITH55 (Bologna, in ITH5)."""
    if role == "anonymous":
        return None
    if role == "sme":
        return make_company_member().user
    if role == "staff_of_rii":
        return make_staff(infrastructure=make_infrastructure(region="ITH55"))
    if role == "staff_of_other_rii":
        return make_staff(infrastructure=make_infrastructure(region="NL414"))
    if role == "partner_admin_of_region":
        return make_importer(region="ITH5")
    if role == "partner_admin_of_other_region":
        return make_importer(region="NL41")
    return make_user(is_staff=True, is_superuser=True)


@pytest.fixture
def importer(db) -> User:
    return make_importer(region="ITH5")
