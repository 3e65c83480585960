"""Writes of a listing's own record and files: creating and editing it, its logo,
brochure and photos. Each ends in ``changes``, which decides what follows."""

from typing import Any, Literal

from django.core.exceptions import ValidationError
from django.core.files.base import File
from django.core.files.storage import default_storage
from django.db import models, transaction

from accounts import permissions
from accounts.models import InfrastructureMembership, MembershipRole, User

from ..models import Infrastructure, Photo
from .changes import STAFF, Source, listing_save, listings_changed
from .editing import (
    Direction,
    assign,
    delete_file_on_commit,
    lock_unchanged,
    move,
    set_many,
    unique_slug,
)

Status = Infrastructure.Status
MediaField = Literal["logo", "brochure"]


def infrastructure_create(
    *, data: dict[str, Any], user: User, source: Source = STAFF
) -> Infrastructure:
    """Create a draft listing from ``data`` (field name -> value, lists for
    many-to-many fields) with a unique slug; ``user`` becomes its manager."""
    with transaction.atomic():
        infrastructure = Infrastructure(status=Status.DRAFT)
        many = assign(infrastructure, data)
        infrastructure.slug = unique_slug(
            data["name"], Infrastructure.objects.all(), fallback="infrastructure"
        )
        infrastructure.full_clean()
        listing_save(infrastructure=infrastructure, source=source)
        set_many(infrastructure, many)
        InfrastructureMembership.objects.create(
            user=user, infrastructure=infrastructure, role=MembershipRole.MANAGER
        )
    return infrastructure


def infrastructure_update(
    *, infrastructure: Infrastructure, data: dict[str, Any], source: Source = STAFF
) -> Infrastructure:
    """Apply ``data`` to a listing. A published listing shows the change at once and
    is flagged for review; moved to a region with other partner admins, it goes
    back to pending review (theirs). Raise EditConflict if the listing was saved by someone else
    after ``infrastructure`` was read."""
    with transaction.atomic():
        lock_unchanged(infrastructure)
        # As stored: a form may already have set the new values on the instance.
        region_before = Infrastructure.objects.values_list("region_id", flat=True).get(
            pk=infrastructure.pk
        )
        many = assign(infrastructure, data)
        fields = set(data.keys() - many.keys())
        if _moved_to_other_moderators(infrastructure, region_before, source):
            # The new region's partner admins review the listing before it shows
            # there: it goes back to their queue, offline until approved.
            infrastructure.status = Status.PENDING
            fields.add("status")
        infrastructure.full_clean()
        listing_save(infrastructure=infrastructure, source=source, update_fields=fields)
        set_many(infrastructure, many)
    return infrastructure


# Statuses in which a partner admin has seen, or is about to see, the listing.
REVIEWED = frozenset({Status.PENDING, Status.CHANGES_REQUESTED, Status.PUBLISHED})


def _moved_to_other_moderators(
    infrastructure: Infrastructure, region_before: str, source: Source
) -> bool:
    """Whether an edit by ``source`` moves a reviewed listing to a region whose
    partner admins are not those of its region before."""
    return (
        source.needs_review
        and infrastructure.status in REVIEWED
        and infrastructure.region_id != region_before
        and permissions.moderators_of(infrastructure.region_id)
        != permissions.moderators_of(region_before)
    )


def infrastructure_media_set(
    *, infrastructure: Infrastructure, field: MediaField, file: File | None
) -> None:
    """Store ``file`` (already checked) as the listing's logo or brochure, or remove
    it when ``file`` is None; the replaced file leaves storage once committed."""
    with transaction.atomic():
        old_name = getattr(infrastructure, field).name
        if file is None:
            setattr(infrastructure, field, "")
        else:
            getattr(infrastructure, field).save(file.name, file, save=False)
        infrastructure.save(update_fields=[field])
        listings_changed(infrastructure_ids=[infrastructure.pk], source=STAFF)
        delete_file_on_commit(old_name)


def photo_add(
    *, infrastructure: Infrastructure, image: File, alt_text: str, caption: str
) -> Photo:
    """Add a photo (already checked) after the listing's others."""
    with transaction.atomic():
        last = infrastructure.photos.aggregate(last=models.Max("order"))["last"]
        photo = Photo(
            infrastructure=infrastructure,
            alt_text=alt_text,
            caption=caption,
            order=0 if last is None else last + 1,
        )
        photo.image.save(image.name or "photo", image, save=False)
        try:
            photo.full_clean()
        except ValidationError:
            if photo.image.name:
                default_storage.delete(photo.image.name)
            raise
        photo.save()
        listings_changed(infrastructure_ids=[infrastructure.pk], source=STAFF)
    return photo


def photo_move(*, photo: Photo, direction: Direction) -> None:
    """Move a photo one place up or down in the listing's gallery."""
    move(photo, direction=direction)


def photo_delete(*, photo: Photo) -> None:
    with transaction.atomic():
        photo.delete()
        listings_changed(infrastructure_ids=[photo.infrastructure_id], source=STAFF)
        delete_file_on_commit(photo.image.name or "")


def infrastructure_put(
    *, slug: str, data: dict[str, Any], source: Source
) -> Infrastructure:
    """Create the listing ``slug``, or update it, with ``data`` (field name ->
    value, lists for many-to-many fields): for loaders keyed by slug, such as the
    demo, which may run again with the same data."""
    with transaction.atomic():
        infrastructure = Infrastructure.objects.filter(slug=slug).first()
        if infrastructure is None:
            infrastructure = Infrastructure(slug=slug)
        many = assign(infrastructure, data)
        infrastructure.full_clean()
        listing_save(infrastructure=infrastructure, source=source)
        set_many(infrastructure, many)
    return infrastructure
