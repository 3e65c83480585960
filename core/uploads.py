"""Checks for files staff upload: images are decoded, re-encoded and renamed; PDFs
are looked at before they are stored. Nothing is trusted from the file's name."""

import io
import uuid
import warnings
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError
from pypdf import PdfReader
from pypdf.errors import PdfReadError, PdfStreamError
from pypdf.generic import IndirectObject

IMAGE_MAX_BYTES = 5 * 1024 * 1024
IMAGE_MAX_PIXELS = 40_000_000
IMAGE_MAX_SIDE = 2000
IMAGE_FORMATS = {"JPEG", "PNG", "WEBP"}
PDF_MAX_BYTES = 10 * 1024 * 1024
# Pillow refuses anything above twice this with an error, and warns above it.
Image.MAX_IMAGE_PIXELS = IMAGE_MAX_PIXELS


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
            with Image.open(upload) as opened:
                opened.load()
                image: Image.Image = ImageOps.exif_transpose(opened)
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
    """The PDF ``upload`` under a random name, if pypdf can read it and it has no
    active content (see ``pdf_active_content``)."""
    max_bytes = max_bytes or PDF_MAX_BYTES
    _check_size(upload, max_bytes)
    upload.seek(0)
    content = upload.read(max_bytes + 1)
    if len(content) > max_bytes:
        raise ValidationError(_("The file is too large."), code="too_large")
    not_a_pdf = ValidationError(_("Upload a PDF document."), code="not_a_pdf")
    if not content.startswith(b"%PDF-") or b"%%EOF" not in content[-2048:]:
        raise not_a_pdf
    try:
        found = pdf_active_content(content)
    except (PdfReadError, PdfStreamError, ValueError, KeyError, TypeError, OSError):
        raise not_a_pdf from None
    except RecursionError:
        raise not_a_pdf from None
    if found:
        raise ValidationError(
            _(
                "PDFs with scripts or other active content (%(what)s) are not "
                "accepted. Save or print it as a plain PDF."
            )
            % {"what": ", ".join(sorted(found))},
            code="pdf_script",
        )
    return ContentFile(content, name=_random_name("pdf"))


# Keys that hold scripts, automatic actions, embedded files or forms that run code.
_PDF_ACTIVE_KEYS = {
    "/JS",
    "/JavaScript",
    "/AA",
    "/EmbeddedFile",
    "/EmbeddedFiles",
    "/RichMedia",
    "/XFA",
    "/Launch",
}
# Action types (``/S``) and object types that do more than move within the file.
_PDF_ACTIVE_TYPES = {
    "/JavaScript",
    "/Launch",
    "/SubmitForm",
    "/ImportData",
    "/GoToR",
    "/GoToE",
    "/Rendition",
    "/RichMediaExecute",
    "/Movie",
    "/Sound",
    "/EmbeddedFile",
    "/Filespec",
    "/FileAttachment",
}
# Links (``/URI`` actions) may lead to web pages and email addresses only.
_PDF_SAFE_URI_SCHEMES = ("http://", "https://", "mailto:")


def pdf_active_content(content: bytes) -> set[str]:
    """The kinds of active content in the PDF ``content``: every object of the
    file, those packed in compressed object streams included, is read by pypdf
    (which also undoes name escapes such as ``/J#61vaScript``).

    Raises pypdf's errors if it is not a PDF pypdf can read; an encrypted PDF
    counts as not readable unless its user password is empty.
    """
    reader = PdfReader(io.BytesIO(content), strict=False)
    if reader.is_encrypted and not reader.decrypt(""):
        raise PdfReadError("encrypted")
    found: set[str] = set()
    pending: list[Any] = [reader.trailer]
    for generation, numbers in reader.xref.items():
        pending += [IndirectObject(n, generation, reader) for n in numbers]
    pending += [IndirectObject(n, 0, reader) for n in reader.xref_objStm]
    seen: set[tuple[int, int]] = set()
    while pending:
        item = pending.pop()
        if isinstance(item, IndirectObject):
            if (item.idnum, item.generation) in seen:
                continue
            seen.add((item.idnum, item.generation))
            item = item.get_object()
        if isinstance(item, dict):
            for key, value in item.items():
                if key in _PDF_ACTIVE_KEYS:
                    found.add(key)
                if key in ("/S", "/Type", "/Subtype") and value in _PDF_ACTIVE_TYPES:
                    found.add(str(value))
                if key == "/URI" and not _pdf_safe_uri(value):
                    found.add("/URI")
                pending.append(value)
        elif isinstance(item, list):
            pending += item
    return found


def _pdf_safe_uri(value: Any) -> bool:
    uri = value.get_object() if isinstance(value, IndirectObject) else value
    if isinstance(uri, bytes):
        uri = uri.decode("latin-1")
    return isinstance(uri, str) and uri.strip().lower().startswith(
        _PDF_SAFE_URI_SCHEMES
    )
