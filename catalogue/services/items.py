"""Writes of what a listing offers: its services and equipment items."""

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils.translation import gettext_lazy as _

from ..models import Equipment, Infrastructure, Service
from .changes import STAFF, Source, listings_changed
from .editing import Direction, assign, lock_unchanged, move, set_many, unique_slug

Item = Service | Equipment


def service_create(
    *, infrastructure: Infrastructure, data: dict[str, Any], source: Source = STAFF
) -> Service:
    """Add a service, last in the listing's order, with a slug unique in the listing."""
    return _item_create(
        Service, infrastructure=infrastructure, data=data, source=source
    )


def service_update(
    *, service: Service, data: dict[str, Any], source: Source = STAFF
) -> Service:
    """Apply ``data`` to a service; raise EditConflict if someone else saved it after
    ``service`` was read."""
    return _item_update(service, data=data, source=source)


def service_delete(*, service: Service, source: Source = STAFF) -> None:
    _item_delete(service, source=source)


def service_move(*, service: Service, direction: Direction) -> None:
    """Swap a service with its neighbour above or below in the listing's order."""
    move(service, direction=direction)


def equipment_create(
    *, infrastructure: Infrastructure, data: dict[str, Any], source: Source = STAFF
) -> Equipment:
    """Add an equipment item, last in the listing's order, with a unique slug."""
    return _item_create(
        Equipment, infrastructure=infrastructure, data=data, source=source
    )


def equipment_update(
    *, equipment: Equipment, data: dict[str, Any], source: Source = STAFF
) -> Equipment:
    """Apply ``data`` to an equipment item; raise EditConflict if someone else saved
    it after ``equipment`` was read."""
    return _item_update(equipment, data=data, source=source)


def equipment_delete(*, equipment: Equipment, source: Source = STAFF) -> None:
    _item_delete(equipment, source=source)


def equipment_move(*, equipment: Equipment, direction: Direction) -> None:
    """Swap an equipment item with its neighbour above or below."""
    move(equipment, direction=direction)


def _check_services(instance: Any, many: dict[str, Any]) -> None:
    """Equipment may only be linked to services of its own listing."""
    if any(
        service.infrastructure_id != instance.infrastructure_id
        for service in many.get("services", ())
    ):
        raise ValidationError(
            {"services": _("Choose services of this infrastructure only.")}
        )


def _item_create[I: (Service, Equipment)](
    model: type[I],
    *,
    infrastructure: Infrastructure,
    data: dict[str, Any],
    source: Source,
) -> I:
    with transaction.atomic():
        siblings = model.objects.filter(infrastructure=infrastructure)
        last = siblings.aggregate(last=models.Max("order"))["last"]
        item = model(
            infrastructure=infrastructure, order=0 if last is None else last + 1
        )
        many = assign(item, data)
        _check_services(item, many)
        item.slug = unique_slug(
            data["name"], siblings, fallback=str(model._meta.model_name)
        )
        item.full_clean()
        item.save()
        set_many(item, many)
        listings_changed(infrastructure_ids=[infrastructure.pk], source=source)
    return item


def _item_update[I: (Service, Equipment)](
    item: I, *, data: dict[str, Any], source: Source
) -> I:
    with transaction.atomic():
        lock_unchanged(item)
        many: dict[str, Any] = assign(item, data)
        _check_services(item, many)
        item.full_clean()
        item.save(update_fields=[*data.keys() - many.keys(), "updated_at"])
        set_many(item, many)
        listings_changed(infrastructure_ids=[item.infrastructure_id], source=source)
    return item


def _item_delete(item: Item, *, source: Source) -> None:
    with transaction.atomic():
        item.delete()
        listings_changed(infrastructure_ids=[item.infrastructure_id], source=source)


def item_put[I: (Service, Equipment)](
    model: type[I],
    *,
    infrastructure: Infrastructure,
    slug: str,
    data: dict[str, Any],
    source: Source,
) -> I:
    """Create the service or equipment item ``slug`` of a listing, or update it,
    with ``data``: for loaders keyed by slug, such as the demo."""
    with transaction.atomic():
        item = model.objects.filter(infrastructure=infrastructure, slug=slug).first()
        if item is None:
            item = model(infrastructure=infrastructure, slug=slug)
        many = assign(item, data)
        _check_services(item, many)
        item.full_clean()
        item.save()
        set_many(item, many)
        listings_changed(infrastructure_ids=[infrastructure.pk], source=source)
    return item


def items_keep(
    model: type[Item],
    *,
    infrastructure: Infrastructure,
    slugs: Iterable[str],
    source: Source,
) -> int:
    """Delete the listing's services (or equipment items) other than ``slugs``;
    return how many went."""
    with transaction.atomic():
        deleted, _ = (
            model.objects.filter(infrastructure=infrastructure)
            .exclude(slug__in=list(slugs))
            .delete()
        )
        if deleted:
            listings_changed(infrastructure_ids=[infrastructure.pk], source=source)
    return deleted
