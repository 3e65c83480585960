import pytest

from accounts.models import User
from catalogue.models import Infrastructure
from tests.factories import (
    make_infrastructure,
    make_moderator,
    make_service,
    make_staff,
    make_user,
)

OWN_REGION, OTHER_REGION = "ITH5", "NL41"


@pytest.fixture(autouse=True)
def _admin_without_second_factor(settings):
    # Two-factor sign-in to the admin is tested in tests/accounts.
    settings.PORTAL_REQUIRE_ADMIN_MFA = False


def make_superuser() -> User:
    return make_user(is_staff=True, is_superuser=True)


@pytest.fixture
def moderator(db) -> User:
    return make_moderator()


@pytest.fixture
def own(db) -> Infrastructure:
    """A listing pending review in the moderator's region, with a service."""
    listing = make_infrastructure(
        name="Bologna Imaging Lab", region="ITH55", status="pending"
    )
    make_service(infrastructure=listing, name="Electron microscopy")
    return listing


@pytest.fixture
def other(db) -> Infrastructure:
    """A listing pending review in another region."""
    listing = make_infrastructure(
        name="Eindhoven Pilot Line", region="NL411", status="pending"
    )
    make_service(infrastructure=listing, name="Wafer dicing")
    return listing


@pytest.fixture
def staff(own) -> User:
    return make_staff(infrastructure=own)
