"""Uploads: PDFs with active content are refused however it is hidden, and large
bodies are refused before they are read."""

import io
import zlib

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from pypdf import PdfWriter
from pypdf.generic import (
    ArrayObject,
    DictionaryObject,
    NameObject,
    TextStringObject,
)

from core.uploads import clean_pdf


def pdf(**catalog: object) -> bytes:
    """A one-page PDF written by pypdf, with ``catalog`` entries added."""
    writer = PdfWriter()
    writer.add_blank_page(width=100, height=100)
    for key, value in catalog.items():
        writer._root_object[NameObject(f"/{key}")] = value
    output = io.BytesIO()
    writer.write(output)
    return output.getvalue()


def action(kind: str, **entries: object) -> DictionaryObject:
    return DictionaryObject(
        {
            NameObject("/S"): NameObject(f"/{kind}"),
            **{NameObject(f"/{k}"): v for k, v in entries.items()},
        }
    )


def with_object_stream(hidden: bytes) -> bytes:
    """A PDF 1.5 whose OpenAction ``hidden`` sits in a compressed object stream,
    listed by a cross-reference stream: it appears nowhere in the raw bytes."""
    packed = b"4 0 " + hidden
    stream = zlib.compress(packed)
    objects = {
        1: b"<< /Type /Catalog /Pages 2 0 R /OpenAction 4 0 R >>",
        2: b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        3: b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 10 10] >>",
        5: b"<< /Type /ObjStm /N 1 /First 4 /Filter /FlateDecode /Length %d >>\n"
        b"stream\n" % len(stream) + stream + b"\nendstream",
    }
    body = b"%PDF-1.5\n"
    offsets = {}
    for number, text in objects.items():
        offsets[number] = len(body)
        body += b"%d 0 obj\n" % number + text + b"\nendobj\n"
    xref_offset = len(body)
    rows = [b"\x00" + (0).to_bytes(4, "big") + (65535).to_bytes(2, "big")]
    for number in range(1, 7):
        if number == 4:
            rows.append(b"\x02" + (5).to_bytes(4, "big") + (0).to_bytes(2, "big"))
        elif number == 6:
            rows.append(b"\x01" + xref_offset.to_bytes(4, "big") + b"\x00\x00")
        else:
            rows.append(b"\x01" + offsets[number].to_bytes(4, "big") + b"\x00\x00")
    data = b"".join(rows)
    body += (
        b"6 0 obj\n<< /Type /XRef /Size 7 /W [1 4 2] /Root 1 0 R /Length %d >>\n"
        b"stream\n" % len(data) + data + b"\nendstream\nendobj\n"
    )
    return body + b"startxref\n%d\n%%%%EOF\n" % xref_offset


def check(content: bytes) -> None:
    clean_pdf(SimpleUploadedFile("b.pdf", content, "application/pdf"))


def test_a_plain_pdf_with_web_links_is_accepted() -> None:
    check(pdf())
    check(pdf(OpenAction=action("URI", URI=TextStringObject("https://rii.eu/"))))
    check(pdf(OpenAction=ArrayObject([NameObject("/Fit")])))


JAVASCRIPT = action("JavaScript", JS=TextStringObject("app.alert(1)"))


@pytest.mark.parametrize(
    "content",
    [
        pytest.param(pdf(OpenAction=JAVASCRIPT), id="javascript"),
        pytest.param(
            pdf(OpenAction=JAVASCRIPT)
            .replace(b"/JavaScript", b"/J#61vaScript")
            .replace(b"/JS", b"/J#53"),
            id="name-escapes",
        ),
        pytest.param(
            with_object_stream(b"<< /S /JavaScript /JS (app.alert\\(1\\)) >>"),
            id="object-stream",
        ),
        pytest.param(
            pdf(OpenAction=action("Launch", F=TextStringObject("calc.exe"))),
            id="launch",
        ),
        pytest.param(
            pdf(OpenAction=action("URI", URI=TextStringObject("javascript:x()"))),
            id="uri-javascript",
        ),
        pytest.param(
            pdf(OpenAction=action("URI", URI=TextStringObject("file:///etc"))),
            id="uri-file",
        ),
        pytest.param(
            pdf(OpenAction=action("SubmitForm", F=TextStringObject("http://x/"))),
            id="submit-form",
        ),
        pytest.param(
            pdf(AA=DictionaryObject({NameObject("/O"): action("GoTo")})),
            id="additional-actions",
        ),
        pytest.param(
            pdf(
                Names=DictionaryObject(
                    {
                        NameObject("/EmbeddedFiles"): DictionaryObject(
                            {NameObject("/Names"): ArrayObject()}
                        )
                    }
                )
            ),
            id="embedded-files",
        ),
    ],
)
def test_pdfs_with_active_content_are_refused(content: bytes) -> None:
    with pytest.raises(ValidationError) as refused:
        check(content)
    assert refused.value.code == "pdf_script"


def test_javascript_in_an_object_stream_is_not_in_the_raw_bytes() -> None:
    content = with_object_stream(b"<< /S /JavaScript /JS (app.alert\\(1\\)) >>")
    assert b"JavaScript" not in content
    check(with_object_stream(b"<< /S /GoTo /D [3 0 R /Fit] >>"))


def test_what_pypdf_cannot_read_is_not_a_pdf() -> None:
    with pytest.raises(ValidationError) as refused:
        check(b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF")
    assert refused.value.code == "not_a_pdf"


def test_a_body_announced_too_large_is_refused_before_it_is_read(
    client: Client,
) -> None:
    response = client.post(
        reverse("access:shortlist_remove"),
        data=b"remove=1",
        content_type="application/x-www-form-urlencoded",
        CONTENT_LENGTH=str(200 * 1024 * 1024),
    )
    assert response.status_code == 413
    assert response["Connection"] == "close"
