"""A listing's approved versions: the last one, what changed since, and going back
to it."""

import dataclasses
import difflib
import re
from dataclasses import dataclass
from typing import Any, NamedTuple

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.utils.translation import gettext_lazy as _

from ..models import Equipment, Infrastructure, ModerationAction, Service

Action = ModerationAction
# Versions a revert may return to.
APPROVALS = (Action.APPROVE, Action.REVERT)
# Fields a decision sets, and fields a revert leaves alone: uploads are replaced in
# storage, so an older logo or brochure may no longer exist.
MODERATION_FIELDS = frozenset(
    {"status", "published_at", "verified_at", "changed_since_review"}
)
NOT_REVERTED = MODERATION_FIELDS | {"logo", "brochure", "created_at", "updated_at"}


def last_approved_version(infrastructure: Infrastructure) -> Any | None:
    """The historical record saved by the listing's last approval (or revert)."""
    return infrastructure.history.filter(history_change_reason__in=APPROVALS).first()


class Part(NamedTuple):
    """A run of a value's text, and whether it differs from the other version."""

    text: str
    changed: bool


@dataclass(frozen=True)
class Change:
    """A field's approved and current values, whole; ``compared`` when they are two
    versions of one text (not, for items, the removed and the added ones)."""

    label: str
    before: str
    after: str
    compared: bool = True
    before_parts: tuple[Part, ...] = dataclasses.field(init=False, compare=False)
    after_parts: tuple[Part, ...] = dataclasses.field(init=False, compare=False)

    def __post_init__(self) -> None:
        if self.compared and self.before and self.after:
            before, after = word_diff(self.before, self.after)
        else:
            before, after = _whole(self.before), _whole(self.after)
        object.__setattr__(self, "before_parts", before)
        object.__setattr__(self, "after_parts", after)


def _whole(text: str) -> tuple[Part, ...]:
    return (Part(text, False),) if text else ()


def word_diff(before: str, after: str) -> tuple[tuple[Part, ...], tuple[Part, ...]]:
    """The two texts in runs of words, the runs one has and the other has not
    marked as changed."""
    old, new = _words(before), _words(after)
    old_parts: list[Part] = []
    new_parts: list[Part] = []
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        _add(old_parts, "".join(old[i1:i2]), tag != "equal")
        _add(new_parts, "".join(new[j1:j2]), tag != "equal")
    return _joined(old_parts), _joined(new_parts)


def _words(text: str) -> list[str]:
    """Words and the white space between them, which stays in the text shown."""
    return [token for token in re.split(r"(\s+)", text) if token]


def _add(parts: list[Part], text: str, changed: bool) -> None:
    if not text:
        return
    if parts and parts[-1].changed == changed:
        parts[-1] = Part(parts[-1].text + text, changed)
    else:
        parts.append(Part(text, changed))


def _joined(parts: list[Part]) -> tuple[Part, ...]:
    """Changed runs separated by white space only, as one run."""
    joined: list[Part] = []
    for index, part in enumerate(parts):
        between = 0 < index < len(parts) - 1 and not part.text.strip()
        _add(joined, part.text, part.changed or between)
    return tuple(joined)


def changes_since_approval(infrastructure: Infrastructure) -> list[Change] | None:
    """What differs between the listing and its last approved version, field by
    field, then its services and equipment; None if it was never approved."""
    version = last_approved_version(infrastructure)
    if version is None:
        return None
    approved = version.instance
    changes = []
    for field in _revertible_fields(Infrastructure):
        before, after = (_shown(obj, field) for obj in (approved, infrastructure))
        if before != after:
            changes.append(Change(str(field.verbose_name), before, after))
    for field in Infrastructure._meta.many_to_many:
        before = _labels(field, _approved_ids(version, field))
        after = _labels(field, getattr(infrastructure, field.name).values("pk"))
        if before != after:
            changes.append(Change(str(field.verbose_name), before, after))
    for model in (Service, Equipment):
        before, after = _items_changed(model, infrastructure, version.history_date)
        if before or after:
            label = str(model._meta.verbose_name_plural).capitalize()
            changes.append(Change(label, before, after, compared=False))
    return changes


def _revertible_fields(model: type[models.Model]) -> list[models.Field]:
    return [
        field
        for field in model._meta.concrete_fields
        if field.editable and not field.primary_key and field.name not in NOT_REVERTED
    ]


def _shown(obj: models.Model, field: models.Field) -> str:
    value = getattr(obj, field.name)
    return "" if value is None else str(value)


def _approved_ids(version: Any, field: models.ManyToManyField) -> list[int]:
    target = f"{field.m2m_reverse_field_name()}_id"
    return [getattr(row, target) for row in getattr(version, field.name).all()]


def _labels(field: models.ManyToManyField, ids: Any) -> str:
    related = field.related_model._default_manager.filter(pk__in=ids)
    return ", ".join(sorted(str(obj) for obj in related))


def _approved_items(model: type[Service | Equipment], infrastructure, moment):
    """The historical records of the listing's items as they were at ``moment``."""
    records = model.history.filter(
        infrastructure_id=infrastructure.pk, history_date__lte=moment
    ).latest_of_each()
    return [record for record in records if record.history_type != "-"]


def _items_changed(model, infrastructure, moment) -> tuple[str, str]:
    """The items removed and those added or edited since ``moment``, by name."""
    approved = {
        record.id: record.name
        for record in _approved_items(model, *(infrastructure, moment))
    }
    current = dict(
        model.objects.filter(infrastructure=infrastructure).values_list("pk", "name")
    )
    edited = set(
        model.history.filter(
            infrastructure_id=infrastructure.pk, history_date__gt=moment
        ).values_list("id", flat=True)
    )
    removed = sorted(name for pk, name in approved.items() if pk not in current)
    changed = sorted(
        name for pk, name in current.items() if pk not in approved or pk in edited
    )
    return ", ".join(removed), ", ".join(changed)


def revert(infrastructure: Infrastructure) -> None:
    """Put the listing, its services and its equipment back as they were at the
    last approval (not its status, dates, logo or brochure)."""
    version = last_approved_version(infrastructure)
    if version is None:
        raise ValidationError(
            _("This listing was never approved: there is no version to revert to."),
            code="no_approved_version",
        )
    approved = version.instance
    for field in _revertible_fields(Infrastructure):
        setattr(infrastructure, field.attname, getattr(approved, field.attname))
    _restore_many(infrastructure, version)
    try:
        with transaction.atomic():
            for model in (Service, Equipment):
                records = _approved_items(model, infrastructure, version.history_date)
                model.objects.filter(infrastructure=infrastructure).exclude(
                    pk__in=[record.id for record in records]
                ).delete()
                for record in records:
                    item = record.instance
                    item._change_reason = Action.REVERT
                    item.save()
                    _restore_many(item, record)
    except IntegrityError as error:
        raise ValidationError(
            _("The approved version clashes with later changes; edit the listing."),
            code="revert_conflict",
        ) from error


def _restore_many(instance: models.Model, record: Any) -> None:
    for field in instance._meta.many_to_many:
        getattr(instance, field.name).set(_approved_ids(record, field))
