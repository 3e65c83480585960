"""Uploads in the staff workspace: logo, photos and brochure, checked before stored."""

import io

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image
from pytest_django.asserts import assertContains, assertRedirects

from catalogue.models import Infrastructure, Photo
from core import uploads

pytestmark = pytest.mark.django_db

PDF = (
    b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
    b"2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\n"
    b"trailer << /Root 1 0 R >>\nstartxref\n0\n%%EOF\n"
)


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def signed_in(client, editor):
    client.force_login(editor)
    return client


def image_bytes(
    image_format: str, size: tuple[int, int] = (40, 30), **options
) -> bytes:
    output = io.BytesIO()
    Image.new("RGB", size, "teal").save(output, format=image_format, **options)
    return output.getvalue()


def media_url(listing: Infrastructure) -> str:
    return reverse("workspace:infrastructure_media", kwargs={"slug": listing.slug})


def upload(client, listing: Infrastructure, action: str, **fields):
    data = {"action": action, **{f"{action}-{k}": v for k, v in fields.items()}}
    return client.post(media_url(listing), data)


def photo(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="image/jpeg")


@pytest.mark.parametrize(
    ("image_format", "name"), [("PNG", "a.png"), ("JPEG", "a.jpg")]
)
def test_staff_add_a_png_or_jpeg_photo_with_alt_text(
    signed_in, listing, image_format, name
):
    response = upload(
        signed_in,
        listing,
        "photo",
        image=photo(name, image_bytes(image_format)),
        alt_text="The clean room",
        caption="Class 100",
    )

    assertRedirects(response, media_url(listing), fetch_redirect_response=False)
    stored = listing.photos.get()
    assert (stored.alt_text, stored.caption) == ("The clean room", "Class 100")
    assert stored.image.name.endswith(".webp")
    assert name not in stored.image.name
    with default_storage.open(stored.image.name) as file, Image.open(file) as image:
        assert image.format == "WEBP"
        assert image.size == (40, 30)
    listing.refresh_from_db()
    assert listing.changed_since_review


def test_a_photo_needs_alt_text_and_keeps_the_caption_on_error(signed_in, listing):
    response = upload(
        signed_in,
        listing,
        "photo",
        image=photo("a.png", image_bytes("PNG")),
        caption="Kept caption",
    )
    assert response.status_code == 200
    assertContains(response, "This field is required.")
    assertContains(response, "Kept caption")
    assert not Photo.objects.exists()


def test_a_text_file_named_jpg_is_refused(signed_in, listing):
    response = upload(
        signed_in,
        listing,
        "photo",
        image=photo("fake.jpg", b"not an image at all"),
        alt_text="Fake",
    )
    assertContains(response, "Upload a JPEG, PNG or WebP image.")
    assertContains(response, 'value="Fake"')
    assert not Photo.objects.exists()


def test_an_image_format_other_than_jpeg_png_webp_is_refused(signed_in, listing):
    response = upload(
        signed_in, listing, "logo", logo=photo("logo.png", image_bytes("GIF"))
    )
    assertContains(response, "Upload a JPEG, PNG or WebP image.")


def test_an_oversize_image_is_refused(signed_in, listing, monkeypatch):
    monkeypatch.setattr(uploads, "IMAGE_MAX_BYTES", 100)
    content = image_bytes("PNG", size=(200, 200))
    assert len(content) > 100
    response = upload(signed_in, listing, "logo", logo=photo("logo.png", content))
    assertContains(response, "The file is too large")
    listing.refresh_from_db()
    assert not listing.logo


def test_an_image_with_too_many_pixels_is_refused(signed_in, listing):
    # 20000 x 20000 one-bit pixels compress to a few kilobytes.
    output = io.BytesIO()
    Image.new("1", (20000, 20000)).save(output, format="PNG")
    response = upload(
        signed_in, listing, "logo", logo=photo("bomb.png", output.getvalue())
    )
    assertContains(response, "The image has too many pixels")
    listing.refresh_from_db()
    assert not listing.logo


def test_stored_images_have_no_exif_and_are_downscaled(signed_in, listing):
    exif = Image.Exif()
    exif[0x010F] = "Spy camera maker"  # Make
    exif[0x0112] = 6  # Orientation: rotate 90 degrees to show
    content = image_bytes("JPEG", size=(3000, 1000), exif=exif.tobytes())
    with Image.open(io.BytesIO(content)) as original:
        assert original.getexif()

    upload(signed_in, listing, "logo", logo=photo("logo.jpg", content))

    listing.refresh_from_db()
    with default_storage.open(listing.logo.name) as file:
        data = file.read()
    with Image.open(io.BytesIO(data)) as stored:
        assert not stored.getexif()
        assert "exif" not in stored.info
        assert stored.size == (667, 2000)  # turned upright, then downscaled
    assert b"Spy camera maker" not in data


def test_staff_upload_replace_and_remove_a_brochure(
    signed_in, listing, media_root, django_capture_on_commit_callbacks
):
    def brochure():
        return SimpleUploadedFile("b.pdf", PDF, content_type="application/pdf")

    upload(signed_in, listing, "brochure", brochure=brochure())
    listing.refresh_from_db()
    first = listing.brochure.name
    assert first.endswith(".pdf") and default_storage.exists(first)

    with django_capture_on_commit_callbacks(execute=True):
        upload(signed_in, listing, "brochure", brochure=brochure())
    listing.refresh_from_db()
    assert listing.brochure.name != first
    assert not default_storage.exists(first)

    with django_capture_on_commit_callbacks(execute=True):
        signed_in.post(media_url(listing), {"action": "remove_brochure"})
    listing.refresh_from_db()
    assert not listing.brochure
    assert not any(media_root.rglob("*.pdf"))


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"GIF89a not a pdf", "Upload a PDF document."),
        (PDF.replace(b"%%EOF", b""), "Upload a PDF document."),
        (
            PDF.replace(b"/Catalog", b"/Catalog /OpenAction << /JavaScript 1 >>"),
            "PDFs with scripts",
        ),
        (PDF.replace(b"/Catalog", b"/Catalog /JS (x)"), "PDFs with scripts"),
    ],
)
def test_a_brochure_that_is_not_a_plain_pdf_is_refused(
    signed_in, listing, content, message
):
    response = upload(
        signed_in,
        listing,
        "brochure",
        brochure=SimpleUploadedFile("b.pdf", content, "application/pdf"),
    )
    assertContains(response, message)
    listing.refresh_from_db()
    assert not listing.brochure


def test_an_oversize_pdf_is_refused():
    file = SimpleUploadedFile("b.pdf", PDF, "application/pdf")
    with pytest.raises(uploads.ValidationError, match="too large"):
        uploads.clean_pdf(file, max_bytes=10)


def test_staff_remove_a_photo(signed_in, listing, django_capture_on_commit_callbacks):
    upload(
        signed_in,
        listing,
        "photo",
        image=photo("a.png", image_bytes("PNG")),
        alt_text="Lab",
    )
    stored = listing.photos.get()
    response = signed_in.post(
        media_url(listing), {"action": "remove_photo", "photo": "nonsense"}
    )
    assert response.status_code == 404
    with django_capture_on_commit_callbacks(execute=True):
        signed_in.post(
            media_url(listing), {"action": "remove_photo", "photo": stored.pk}
        )
    assert not Photo.objects.exists()
    assert not default_storage.exists(stored.image.name)


def test_the_public_page_shows_logo_photos_and_brochure(signed_in, client, listing):
    upload(signed_in, listing, "logo", logo=photo("l.png", image_bytes("PNG")))
    upload(
        signed_in,
        listing,
        "photo",
        image=photo("a.png", image_bytes("PNG")),
        alt_text="The clean room",
        caption="Class 100",
    )
    upload(
        signed_in,
        listing,
        "brochure",
        brochure=SimpleUploadedFile("b.pdf", PDF, "application/pdf"),
    )
    listing.refresh_from_db()

    response = client.get(listing.get_absolute_url())

    assertContains(response, f'alt="{listing.name}"')
    assertContains(response, 'alt="The clean room"')
    assertContains(response, "Class 100")
    assertContains(response, "Download the brochure (PDF)")

    served = client.get(listing.brochure.url)
    assert served.status_code == 200
    assert served["Content-Type"] == "application/pdf"
    assert served["Content-Disposition"] == "inline"
    assert served["X-Content-Type-Options"] == "nosniff"
    assert b"".join(served.streaming_content) == PDF
    assert client.get(listing.logo.url).status_code == 200


def test_media_outside_the_media_root_is_not_served(client, media_root):
    (media_root.parent / "secret.txt").write_text("secret")
    response = client.get(reverse("media", kwargs={"path": "../secret.txt"}))
    assert response.status_code == 400
    assert b"secret" not in response.content


@pytest.mark.parametrize(
    ("role", "status_code"),
    [
        ("anonymous", 404),
        ("sme", 404),
        ("other_staff", 404),
        ("other_partner_admin", 404),
        ("editor", 200),
        ("partner_admin", 200),
        ("superuser", 200),
    ],
)
def test_files_of_an_unpublished_listing_are_shown_only_to_who_may_see_it(
    client, listing, editor, role, status_code
):
    from tests.factories import (
        make_account,
        make_infrastructure,
        make_partner_admin,
        make_staff,
        make_user,
    )

    client.force_login(editor)
    upload(
        client,
        listing,
        "brochure",
        brochure=SimpleUploadedFile("b.pdf", PDF, "application/pdf"),
    )
    listing.refresh_from_db()
    url = listing.brochure.url
    client.logout()
    assert client.get(url).status_code == 200  # published: everyone
    Infrastructure.objects.filter(pk=listing.pk).update(status="pending")
    viewer = {
        "anonymous": None,
        "sme": make_account(),
        "other_staff": make_staff(infrastructure=make_infrastructure()),
        "other_partner_admin": make_partner_admin(region="NL41"),
        "editor": editor,
        "partner_admin": make_partner_admin(region="ITH5"),
        "superuser": make_user(is_superuser=True, is_staff=True),
    }[role]
    if viewer:
        client.force_login(viewer)
    assert client.get(url).status_code == status_code


def test_staff_reorder_photos(signed_in, listing):
    for alt in ("Clean room", "Furnace", "Microscope"):
        upload(
            signed_in,
            listing,
            "photo",
            image=photo("a.png", image_bytes("PNG")),
            alt_text=alt,
        )

    def gallery() -> list[str]:
        return list(
            listing.photos.order_by("order", "pk").values_list("alt_text", flat=True)
        )

    microscope = listing.photos.get(alt_text="Microscope")
    response = signed_in.post(
        media_url(listing),
        {"action": "move_photo", "photo": microscope.pk, "direction": "up"},
    )
    assertRedirects(response, media_url(listing), fetch_redirect_response=False)
    assert gallery() == ["Clean room", "Microscope", "Furnace"]
    public = signed_in.get(listing.get_absolute_url()).content.decode()
    assert public.index('alt="Microscope"') < public.index('alt="Furnace"')

    bad = signed_in.post(
        media_url(listing),
        {"action": "move_photo", "photo": microscope.pk, "direction": "sideways"},
    )
    assert bad.status_code == 400
    other = make_infrastructure_photo()
    assert (
        signed_in.post(
            media_url(listing),
            {"action": "move_photo", "photo": other.pk, "direction": "up"},
        ).status_code
        == 404
    )
    assert gallery() == ["Clean room", "Microscope", "Furnace"]


def make_infrastructure_photo() -> Photo:
    from tests.factories import make_infrastructure

    return Photo.objects.create(
        infrastructure=make_infrastructure(), image="photos/x.webp", alt_text="Other"
    )
