"""Checks for files staff upload: images are decoded, re-encoded and renamed; PDFs
are looked at before they are stored. Nothing is trusted from the file's name."""

import io
import uuid
import warnings

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

IMAGE_MAX_BYTES = 5 * 1024 * 1024
IMAGE_MAX_PIXELS = 40_000_000
IMAGE_MAX_SIDE = 2000
IMAGE_FORMATS = {"JPEG", "PNG", "WEBP"}
PDF_MAX_BYTES = 10 * 1024 * 1024
# Pillow refuses anything above twice this with an error, and warns above it.
Image.MAX_IMAGE_PIXELS = IMAGE_MAX_PIXELS

_PDF_ACTIVE_CONTENT = (b"/JavaScript", b"/JS")


def _check_size(upload: UploadedFile, limit: int) -> None:
    if upload.size is not None and upload.size > limit:
        raise ValidationError(
            _("The file is too large: at most %(limit)s, please.")
            % {"limit": filesizeformat(limit)},
            code="too_large",
        )


def _random_name(extension: str) -> str:
    return f"{uuid.uuid4().hex}.{extension}"


def clean_image(
    upload: UploadedFile,
    *,
    max_bytes: int | None = None,
    max_pixels: int | None = None,
) -> ContentFile:
    """A JPEG, PNG or WebP re-encoded as WebP without metadata, at most
    ``IMAGE_MAX_SIDE`` pixels on its long side, under a random name."""
    max_bytes = max_bytes or IMAGE_MAX_BYTES
    max_pixels = max_pixels or IMAGE_MAX_PIXELS
    _check_size(upload, max_bytes)
    refused = ValidationError(
        _("Upload a JPEG, PNG or WebP image."), code="not_an_image"
    )
    too_big = ValidationError(
        _("The image has too many pixels: at most %(megapixels)s megapixels, please.")
        % {"megapixels": max_pixels // 1_000_000},
        code="too_many_pixels",
    )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            upload.seek(0)
            with Image.open(upload) as probe:
                if probe.format not in IMAGE_FORMATS:
                    raise refused
                if probe.width * probe.height > max_pixels:
                    raise too_big
                probe.verify()
            upload.seek(0)
            with Image.open(upload) as image:
                image.load()
                image = ImageOps.exif_transpose(image)
                image.thumbnail((IMAGE_MAX_SIDE, IMAGE_MAX_SIDE))
                if image.mode not in ("RGB", "RGBA"):
                    has_alpha = "A" in image.mode or "transparency" in image.info
                    image = image.convert("RGBA" if has_alpha else "RGB")
                output = io.BytesIO()
                # No exif, icc_profile or xmp argument: nothing but pixels is written.
                image.save(output, format="WEBP", quality=85)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise too_big from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise refused from None
    return ContentFile(output.getvalue(), name=_random_name("webp"))


def clean_pdf(upload: UploadedFile, *, max_bytes: int | None = None) -> ContentFile:
    """The PDF ``upload`` under a random name, if it looks like a PDF without
    scripts."""
    max_bytes = max_bytes or PDF_MAX_BYTES
    _check_size(upload, max_bytes)
    upload.seek(0)
    content = upload.read(max_bytes + 1)
    if len(content) > max_bytes:
        raise ValidationError(_("The file is too large."), code="too_large")
    if not content.startswith(b"%PDF-") or b"%%EOF" not in content[-2048:]:
        raise ValidationError(_("Upload a PDF document."), code="not_a_pdf")
    # Conservative: refuse any PDF that names JavaScript, even harmlessly.
    if any(marker in content for marker in _PDF_ACTIVE_CONTENT):
        raise ValidationError(
            _("PDFs with scripts are not accepted. Save it without JavaScript."),
            code="pdf_script",
        )
    return ContentFile(content, name=_random_name("pdf"))
