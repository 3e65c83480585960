"""Behind nginx (PORTAL_X_ACCEL_REDIRECT), the proxy sends the files the portal
allows, and only those."""

from pathlib import Path
from urllib.parse import quote

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from access.models import AccessRequest
from catalogue.models import Photo
from tests.factories import make_access_request, make_account, make_infrastructure

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _behind_nginx(settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    settings.PORTAL_X_ACCEL_REDIRECT = "/_protected/"
    settings.MEDIA_ROOT = tmp_path / "media"
    # The field holds the storage made at start-up; files go to tmp_path.
    storage = AccessRequest._meta.get_field("attachment").storage
    monkeypatch.setattr(storage, "location", str(tmp_path / "private"))


def photo(status: str) -> str:
    listing = make_infrastructure(status=status)
    Photo.objects.create(infrastructure=listing, image="photos/lab.webp", alt_text="x")
    return reverse("media", kwargs={"path": "photos/lab.webp"})


def test_a_published_photo_is_handed_to_the_proxy(client: Client) -> None:
    response = client.get(photo("published"))
    assert response.status_code == 200
    assert response["X-Accel-Redirect"] == "/_protected/media/photos/lab.webp"
    assert response["Content-Type"] == "image/webp"
    assert response.content == b""


def test_an_unpublished_photo_is_still_a_404_for_visitors(client: Client) -> None:
    response = client.get(photo("pending"))
    assert response.status_code == 404
    assert "X-Accel-Redirect" not in response.headers


def test_an_attachment_is_handed_to_the_proxy_for_its_requester_only(
    client: Client,
) -> None:
    requester = make_account()
    access_request = make_access_request(
        requester=requester,
        attachment=SimpleUploadedFile("brief été.pdf", b"%PDF-1.4 brief %%EOF"),
    )
    url = reverse("access:attachment", args=[access_request.pk])
    client.force_login(make_account())
    assert client.get(url).status_code == 404
    client.force_login(requester)
    response = client.get(url)
    assert response.status_code == 200
    stored = str(access_request.attachment.name)
    assert response["X-Accel-Redirect"] == f"/_protected/private/{quote(stored)}"
    assert response["Content-Disposition"].startswith("attachment; filename*=UTF-8''")
    assert response.content == b""
