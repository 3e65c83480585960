"""Pieces the catalogue's write services share: slugs, field assignment, edit
conflicts, ordering within a listing."""

from collections.abc import Iterable
from typing import Any, Literal

from django.core.files.storage import default_storage
from django.db import models, transaction
from django.utils.text import slugify

from .changes import search_refresh_on_commit

Direction = Literal["up", "down"]
# Paths of the workspace that a slug must not shadow.
RESERVED_SLUGS = frozenset({"new"})


class EditConflict(Exception):
    """The object changed in the database after the caller read it."""


def unique_slug(name: str, taken: models.QuerySet, *, fallback: str) -> str:
    base = slugify(name)[:200].strip("-") or fallback
    existing = {
        *RESERVED_SLUGS,
        *taken.filter(slug__startswith=base).values_list("slug", flat=True),
    }
    slug, n = base, 2
    while slug in existing:
        slug, n = f"{base}-{n}", n + 1
    return slug


def assign(instance: models.Model, data: dict[str, Any]) -> dict[str, Any]:
    """Set the plain fields of ``data`` on ``instance``; return the many-to-many ones."""
    many = {}
    for name, value in data.items():
        if instance._meta.get_field(name).many_to_many:
            many[name] = value
        else:
            setattr(instance, name, value)
    return many


def set_many(instance: models.Model, many: dict[str, Iterable]) -> None:
    for name, values in many.items():
        getattr(instance, name).set(values)


def lock_unchanged(instance: Any) -> None:
    """Lock the row of ``instance``; raise EditConflict if it was saved since read."""
    saved = (
        type(instance)
        ._base_manager.select_for_update()
        .values_list("updated_at", flat=True)
        .get(pk=instance.pk)
    )
    if saved != instance.updated_at:
        raise EditConflict


def delete_file_on_commit(name: str) -> None:
    if name:
        transaction.on_commit(lambda: default_storage.delete(name))


def move(item: Any, *, direction: Direction) -> None:
    """Swap ``item`` (a service, equipment item or photo) with its neighbour above
    or below in its listing's order."""
    model = type(item)
    with transaction.atomic():
        # Renumber the whole list, so that equal or missing orders sort out too.
        siblings = list(
            model.objects.select_for_update()
            .filter(infrastructure_id=item.infrastructure_id)
            .order_by(*_list_order(model), "pk")
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
        model.objects.bulk_update(siblings, ["order"])
        search_refresh_on_commit([item.infrastructure_id])


def _list_order(model: type[models.Model]) -> list:
    """The model's ordering within one listing."""
    return [field for field in model._meta.ordering or () if field != "infrastructure"]
