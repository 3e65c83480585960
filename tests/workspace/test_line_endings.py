"""Saving a form whose texts did not change changes nothing, although browsers
post a textarea's line endings as CRLF."""

import pytest
from django.urls import reverse
from pytest_django.asserts import assertNotContains

from catalogue.models import Equipment, Infrastructure, Service
from tests.workspace.conftest import form_data
from workspace.forms import EquipmentForm, InfrastructureForm, ServiceForm

pytestmark = pytest.mark.django_db

TEXT = "First paragraph.\n\nSecond paragraph,\nwith a line break."


def as_posted(data: dict, *names: str) -> dict:
    """``data`` as a browser posts it: textarea line endings as CRLF."""
    return {
        **data,
        **{
            name: data[name].replace("\r\n", "\n").replace("\n", "\r\n")
            for name in names
        },
    }


def edit_url(listing: Infrastructure) -> str:
    return reverse("workspace:infrastructure_edit", args=[listing.slug])


@pytest.fixture
def multiline_listing(listing) -> Infrastructure:
    Infrastructure.objects.filter(pk=listing.pk).update(
        summary="A summary\non two lines.",
        description=TEXT,
        sme_offer=TEXT,
        access_policy=TEXT,
        changed_since_review=False,
    )
    Service.objects.filter(infrastructure=listing).update(description=TEXT)
    Equipment.objects.filter(infrastructure=listing).update(description=TEXT)
    listing.refresh_from_db()
    return listing


LISTING_TEXTS = ("summary", "description", "sme_offer", "access_policy")


def test_an_unchanged_listing_form_posted_with_crlf_has_no_changes(
    client, editor, multiline_listing
):
    client.force_login(editor)
    data = as_posted(form_data(client.get(edit_url(multiline_listing))), *LISTING_TEXTS)
    form = InfrastructureForm(data, instance=multiline_listing)
    assert form.is_valid(), form.errors
    assert form.changed_data == []
    assert not form.has_changed()


def test_re_saving_an_unchanged_published_listing_does_not_flag_it(
    client, editor, multiline_listing
):
    client.force_login(editor)
    data = as_posted(form_data(client.get(edit_url(multiline_listing))), *LISTING_TEXTS)
    response = client.post(edit_url(multiline_listing), data, follow=True)
    multiline_listing.refresh_from_db()
    assert not multiline_listing.changed_since_review
    assert multiline_listing.description == TEXT
    assertNotContains(response, "flagged for review")


def test_a_changed_text_is_saved_with_lf_and_flags_the_listing(
    client, editor, multiline_listing
):
    client.force_login(editor)
    data = form_data(
        client.get(edit_url(multiline_listing)), description=TEXT + "\nThird line."
    )
    client.post(edit_url(multiline_listing), as_posted(data, *LISTING_TEXTS))
    multiline_listing.refresh_from_db()
    assert multiline_listing.description == TEXT + "\nThird line."
    assert multiline_listing.sme_offer == TEXT
    assert multiline_listing.changed_since_review


def test_a_text_saved_with_crlf_is_unchanged_when_posted_back(multiline_listing):
    Infrastructure.objects.filter(pk=multiline_listing.pk).update(
        description=TEXT.replace("\n", "\r\n")
    )
    multiline_listing.refresh_from_db()
    form = InfrastructureForm(instance=multiline_listing)
    data = {name: form[name].value() for name in form.fields}
    data = {k: v for k, v in data.items() if v is not None}
    data = as_posted(data, "description")
    bound = InfrastructureForm(data, instance=multiline_listing)
    assert "description" not in bound.changed_data


def test_an_unchanged_service_form_posted_with_crlf_has_no_changes(
    client, editor, multiline_listing
):
    service = multiline_listing.services.get()
    client.force_login(editor)
    url = reverse("workspace:service_edit", args=[multiline_listing.slug, service.slug])
    data = as_posted(form_data(client.get(url)), "description")
    form = ServiceForm(data, instance=service)
    assert form.is_valid(), form.errors
    assert form.changed_data == []
    client.post(url, data)
    multiline_listing.refresh_from_db()
    assert not multiline_listing.changed_since_review


def test_an_unchanged_equipment_form_posted_with_crlf_has_no_changes(
    client, editor, multiline_listing
):
    equipment = multiline_listing.equipment.get()
    client.force_login(editor)
    url = reverse(
        "workspace:equipment_edit", args=[multiline_listing.slug, equipment.slug]
    )
    data = as_posted(form_data(client.get(url)), "description")
    form = EquipmentForm(data, instance=equipment, infrastructure=multiline_listing)
    assert form.is_valid(), form.errors
    assert form.changed_data == []
    client.post(url, data)
    multiline_listing.refresh_from_db()
    assert not multiline_listing.changed_since_review
