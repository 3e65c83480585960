"""Uploads of unpublished listings stay hidden however their path is spelled."""

from pathlib import Path

import pytest
from django.conf import LazySettings
from django.test import Client
from django.urls import reverse

from catalogue.models import Infrastructure, Photo
from tests.factories import make_infrastructure, make_staff

pytestmark = pytest.mark.django_db

# Spellings of "photos/<name>" that a file system or serve() normalises to it.
TRICKS = [
    "photos/{name}/",
    "./photos/{name}",
    "/photos/{name}",
    "photos//{name}",
    "photos/./{name}",
    "logos/../photos/{name}",
    "photos/../photos/{name}",
    "photos\\{name}",
]


@pytest.fixture
def hidden_photo(settings: LazySettings, tmp_path: Path) -> tuple[Infrastructure, str]:
    """A photo stored on disk for a listing awaiting review; its stored name."""
    settings.MEDIA_ROOT = tmp_path
    settings.DEBUG = False
    (tmp_path / "photos").mkdir()
    (tmp_path / "photos" / "secret.webp").write_bytes(b"RIFF-secret-WEBP")
    (tmp_path / "logos").mkdir()
    listing = make_infrastructure(status="pending")
    Photo.objects.create(
        infrastructure=listing, image="photos/secret.webp", alt_text="The lab"
    )
    return listing, "photos/secret.webp"


def media_url(path: str) -> str:
    return reverse("media", kwargs={"path": "placeholder"}).replace("placeholder", path)


def test_exact_path_of_an_unpublished_photo_is_a_404(
    client: Client, hidden_photo: tuple[Infrastructure, str]
) -> None:
    assert client.get(media_url(hidden_photo[1])).status_code == 404


@pytest.mark.parametrize("trick", TRICKS)
def test_normalised_paths_of_an_unpublished_photo_are_refused(
    client: Client, hidden_photo: tuple[Infrastructure, str], trick: str
) -> None:
    response = client.get(media_url(trick.format(name="secret.webp")))
    assert response.status_code in (400, 404)
    body = getattr(response, "streaming_content", None) or [response.content]
    assert b"secret" not in b"".join(body)


@pytest.mark.parametrize("trick", TRICKS)
def test_staff_get_their_photo_only_under_its_stored_name(
    client: Client, hidden_photo: tuple[Infrastructure, str], trick: str
) -> None:
    listing, name = hidden_photo
    client.force_login(make_staff(infrastructure=listing))
    assert client.get(media_url(name)).status_code == 200
    assert client.get(media_url(trick.format(name="secret.webp"))).status_code in (
        400,
        404,
    )


def test_a_published_photo_is_served_to_everyone(
    client: Client, hidden_photo: tuple[Infrastructure, str]
) -> None:
    listing, name = hidden_photo
    listing.status = "published"
    listing.published_at = listing.updated_at
    listing.save()
    response = client.get(media_url(name))
    assert response.status_code == 200
    assert response.getvalue() == b"RIFF-secret-WEBP"


def test_a_file_no_listing_stores_is_not_served(
    client: Client, settings: LazySettings, tmp_path: Path
) -> None:
    settings.MEDIA_ROOT = tmp_path
    (tmp_path / "logos").mkdir()
    (tmp_path / "logos" / "orphan.webp").write_bytes(b"orphan")
    assert client.get(media_url("logos/orphan.webp")).status_code == 404
