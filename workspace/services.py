"""Writes of the staff workspace: listings, their services and equipment, and the
status of a listing. Each keeps search current and flags edits of a published listing
for its partner admin's review."""

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Literal

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import File
from django.core.files.storage import default_storage
from django.db import models, transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from accounts.models import InfrastructureMembership, MembershipRole, User
from catalogue import search
from catalogue.models import Equipment, Infrastructure, Photo, Service

Status = Infrastructure.Status
Direction = Literal["up", "down"]
# Paths of the workspace that a slug must not shadow.
RESERVED_SLUGS = frozenset({"new"})


class EditConflict(Exception):
    """The object changed in the database after the caller read it."""


@dataclass(frozen=True)
class Transition:
    sources: frozenset[str]
    target: str
    roles: frozenset[str]
    stamps: tuple[str, ...] = ()  # date fields set to now


STAFF = frozenset(MembershipRole.values)

# What staff may do to their listing: action -> from which statuses, to which one,
# who may, and which dates it sets. Partner admins publish or ask for changes in the
# admin.
TRANSITIONS: dict[str, Transition] = {
    "submit": Transition(
        sources=frozenset({Status.DRAFT, Status.CHANGES_REQUESTED}),
        target=Status.PENDING,
        roles=STAFF,
    ),
    "confirm_accurate": Transition(
        sources=frozenset({Status.PUBLISHED}),
        target=Status.PUBLISHED,
        roles=STAFF,
        stamps=("verified_at",),
    ),
}


def membership_role(*, user: User, infrastructure: Infrastructure) -> str | None:
    """The role of ``user`` on ``infrastructure``; a superuser counts as a manager."""
    if user.is_superuser:
        return MembershipRole.MANAGER
    return (
        InfrastructureMembership.objects.filter(
            user=user, infrastructure=infrastructure
        )
        .values_list("role", flat=True)
        .first()
    )


def infrastructure_create(*, data: dict[str, Any], user: User) -> Infrastructure:
    """Create a draft listing from ``data`` (field name -> value, lists for
    many-to-many fields) with a unique slug; ``user`` becomes its manager."""
    with transaction.atomic():
        infrastructure = Infrastructure(status=Status.DRAFT)
        many = _assign(infrastructure, data)
        infrastructure.slug = _unique_slug(
            data["name"], Infrastructure.objects.all(), fallback="infrastructure"
        )
        infrastructure.full_clean()
        infrastructure.save()
        _set_many(infrastructure, many)
        InfrastructureMembership.objects.create(
            user=user, infrastructure=infrastructure, role=MembershipRole.MANAGER
        )
        _refresh_search(infrastructure.pk)
    return infrastructure


def infrastructure_update(
    *, infrastructure: Infrastructure, data: dict[str, Any]
) -> Infrastructure:
    """Apply ``data`` to a listing. A published listing shows the change at once and
    is flagged for review. Raise EditConflict if the listing was saved by someone else
    after ``infrastructure`` was read."""
    with transaction.atomic():
        _lock_unchanged(infrastructure)
        many = _assign(infrastructure, data)
        fields = [*data.keys() - many.keys(), "updated_at"]
        if infrastructure.is_published:
            infrastructure.changed_since_review = True
            fields.append("changed_since_review")
        infrastructure.full_clean()
        infrastructure.save(update_fields=fields)
        _set_many(infrastructure, many)
        _refresh_search(infrastructure.pk)
    return infrastructure


def infrastructure_transition(
    *, infrastructure: Infrastructure, action: str, user: User
) -> Infrastructure:
    """Move a listing through ``TRANSITIONS[action]``, if its status and the role of
    ``user`` allow it (ValidationError, PermissionDenied otherwise)."""
    transition = TRANSITIONS[action]
    with transaction.atomic():
        current = Infrastructure.objects.select_for_update().get(pk=infrastructure.pk)
        if membership_role(user=user, infrastructure=current) not in transition.roles:
            raise PermissionDenied
        if current.status not in transition.sources:
            raise ValidationError(
                _("This cannot be done while the listing is “%(status)s”."),
                params={"status": current.get_status_display()},
                code="transition_not_allowed",
            )
        current.status = transition.target
        now = timezone.now()
        for stamp in transition.stamps:
            setattr(current, stamp, now)
        current.save(update_fields=["status", *transition.stamps, "updated_at"])
        _refresh_search(current.pk)
    return current


def service_create(*, infrastructure: Infrastructure, data: dict[str, Any]) -> Service:
    """Add a service, last in the listing's order, with a slug unique in the listing."""
    return _item_create(Service, infrastructure=infrastructure, data=data)


def service_update(*, service: Service, data: dict[str, Any]) -> Service:
    """Apply ``data`` to a service; raise EditConflict if someone else saved it after
    ``service`` was read."""
    return _item_update(service, data=data)


def service_delete(*, service: Service) -> None:
    _item_delete(service)


def service_move(*, service: Service, direction: Direction) -> None:
    """Swap a service with its neighbour above or below in the listing's order."""
    _item_move(service, direction=direction)


def equipment_create(
    *, infrastructure: Infrastructure, data: dict[str, Any]
) -> Equipment:
    """Add an equipment item, last in the listing's order, with a unique slug."""
    return _item_create(Equipment, infrastructure=infrastructure, data=data)


def equipment_update(*, equipment: Equipment, data: dict[str, Any]) -> Equipment:
    """Apply ``data`` to an equipment item; raise EditConflict if someone else saved
    it after ``equipment`` was read."""
    return _item_update(equipment, data=data)


def equipment_delete(*, equipment: Equipment) -> None:
    _item_delete(equipment)


def equipment_move(*, equipment: Equipment, direction: Direction) -> None:
    """Swap an equipment item with its neighbour above or below."""
    _item_move(equipment, direction=direction)


# --- Helpers -------------------------------------------------------------------

Item = Service | Equipment


# --- Logo, photos, brochure ----------------------------------------------------


MediaField = Literal["logo", "brochure"]


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
        _listing_edited(infrastructure)
        _delete_file_on_commit(old_name)


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
        photo.image.save(image.name, image, save=False)
        try:
            photo.full_clean()
        except ValidationError:
            default_storage.delete(photo.image.name)
            raise
        photo.save()
        _listing_edited(infrastructure)
    return photo


def photo_move(*, photo: Photo, direction: Direction) -> None:
    """Move a photo one place up or down in the listing's gallery."""
    _item_move(photo, direction=direction)


def photo_delete(*, photo: Photo) -> None:
    with transaction.atomic():
        photo.delete()
        _listing_edited(photo.infrastructure)
        _delete_file_on_commit(photo.image.name)


def _delete_file_on_commit(name: str) -> None:
    if name:
        transaction.on_commit(lambda: default_storage.delete(name))


def _refresh_search(infrastructure_id: int) -> None:
    transaction.on_commit(lambda: search.refresh([infrastructure_id]))


def _unique_slug(name: str, taken: models.QuerySet, *, fallback: str) -> str:
    base = slugify(name)[:200].strip("-") or fallback
    existing = {
        *RESERVED_SLUGS,
        *taken.filter(slug__startswith=base).values_list("slug", flat=True),
    }
    slug, n = base, 2
    while slug in existing:
        slug, n = f"{base}-{n}", n + 1
    return slug


def _assign(instance: models.Model, data: dict[str, Any]) -> dict[str, Any]:
    """Set the plain fields of ``data`` on ``instance``; return the many-to-many ones."""
    many = {}
    for name, value in data.items():
        if instance._meta.get_field(name).many_to_many:
            many[name] = value
        else:
            setattr(instance, name, value)
    return many


def _set_many(instance: models.Model, many: dict[str, Iterable]) -> None:
    for name, values in many.items():
        getattr(instance, name).set(values)


def _lock_unchanged(instance: models.Model) -> None:
    """Lock the row of ``instance``; raise EditConflict if it was saved since read."""
    saved = (
        type(instance)
        ._base_manager.select_for_update()
        .values_list("updated_at", flat=True)
        .get(pk=instance.pk)
    )
    if saved != instance.updated_at:
        raise EditConflict


def _check_services(instance: models.Model, many: dict[str, Any]) -> None:
    """Equipment may only be linked to services of its own listing."""
    if any(
        service.infrastructure_id != instance.infrastructure_id
        for service in many.get("services", ())
    ):
        raise ValidationError(
            {"services": _("Choose services of this infrastructure only.")}
        )


def _listing_edited(infrastructure: Infrastructure) -> None:
    """A change to a listing's services or equipment: flag a published listing for
    review, mark it updated and refresh its search record."""
    changes: dict[str, Any] = {"updated_at": timezone.now()}
    if infrastructure.is_published:
        changes["changed_since_review"] = True
    Infrastructure.objects.filter(pk=infrastructure.pk).update(**changes)
    _refresh_search(infrastructure.pk)


def _item_create(
    model: type[Item], *, infrastructure: Infrastructure, data: dict[str, Any]
) -> Item:
    with transaction.atomic():
        siblings = model.objects.filter(infrastructure=infrastructure)
        last = siblings.aggregate(last=models.Max("order"))["last"]
        item = model(
            infrastructure=infrastructure, order=0 if last is None else last + 1
        )
        many = _assign(item, data)
        _check_services(item, many)
        item.slug = _unique_slug(
            data["name"], siblings, fallback=model._meta.model_name
        )
        item.full_clean()
        item.save()
        _set_many(item, many)
        _listing_edited(infrastructure)
    return item


def _item_update(item: Item, *, data: dict[str, Any]) -> Item:
    with transaction.atomic():
        _lock_unchanged(item)
        many = _assign(item, data)
        _check_services(item, many)
        item.full_clean()
        item.save(update_fields=[*data.keys() - many.keys(), "updated_at"])
        _set_many(item, many)
        _listing_edited(item.infrastructure)
    return item


def _item_delete(item: Item) -> None:
    with transaction.atomic():
        item.delete()
        _listing_edited(item.infrastructure)


def _item_move(item: Item, *, direction: Direction) -> None:
    with transaction.atomic():
        # Renumber the whole list, so that equal or missing orders sort out too.
        siblings = list(
            type(item)
            .objects.select_for_update()
            .filter(infrastructure_id=item.infrastructure_id)
            .order_by(*_list_order(type(item)), "pk")
        )
        position = next(
            n for n, sibling in enumerate(siblings) if sibling.pk == item.pk
        )
        other = position - 1 if direction == "up" else position + 1
        if not 0 <= other < len(siblings):
            return
        siblings[position], siblings[other] = siblings[other], siblings[position]
        for order, sibling in enumerate(siblings):
            sibling.order = order
        type(item).objects.bulk_update(siblings, ["order"])
        _refresh_search(item.infrastructure_id)


def _list_order(model: type[models.Model]) -> list:
    """The model's ordering within one listing."""
    return [field for field in model._meta.ordering if field != "infrastructure"]
