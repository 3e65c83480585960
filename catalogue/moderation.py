"""Moderation of listings by partner admins: which regions a user administers, the
decisions on a listing, the moderation queue and its counts, and what changed since
the last approval."""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import Count, IntegerField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from access.models import AccessRequest
from accounts.models import RegionAdministration, User
from notifications.services import email_queue_to_users
from workspace.services import TRANSITIONS as STAFF_TRANSITIONS
from workspace.services import Transition

from . import search
from .models import (
    Equipment,
    Infrastructure,
    ModerationAction,
    ModerationDecision,
    Region,
    Service,
)

Status = Infrastructure.Status
Action = ModerationAction
MODERATOR = frozenset({"partner_admin"})

# What a partner admin (or a superuser) may decide on a listing of their region:
# action -> from which statuses, to which one, and which dates it sets. A rejected
# submission is archived rather than sent back to draft: a draft is the staff's to
# resubmit at once, which is what "request changes" is for; a rejection ends the
# review and takes the listing out of the catalogue.
DECISIONS: dict[str, Transition] = {
    Action.APPROVE: Transition(
        sources=frozenset({Status.PENDING, Status.PUBLISHED}),
        target=Status.PUBLISHED,
        roles=MODERATOR,
        stamps=("verified_at",),
    ),
    Action.REQUEST_CHANGES: Transition(
        sources=frozenset({Status.PENDING, Status.PUBLISHED}),
        target=Status.CHANGES_REQUESTED,
        roles=MODERATOR,
    ),
    Action.REJECT: Transition(
        sources=frozenset({Status.PENDING, Status.CHANGES_REQUESTED}),
        target=Status.ARCHIVED,
        roles=MODERATOR,
    ),
    Action.ARCHIVE: Transition(
        sources=frozenset(
            {Status.DRAFT, Status.PENDING, Status.CHANGES_REQUESTED, Status.PUBLISHED}
        ),
        target=Status.ARCHIVED,
        roles=MODERATOR,
    ),
    Action.REVERT: Transition(
        sources=frozenset({Status.PENDING, Status.CHANGES_REQUESTED, Status.PUBLISHED}),
        target=Status.PUBLISHED,
        roles=MODERATOR,
        stamps=("verified_at",),
    ),
}
# Every transition of a listing: its staff's (workspace) and its partner admin's.
TRANSITIONS: dict[str, Transition] = {**STAFF_TRANSITIONS, **DECISIONS}
# Decisions the staff must be told the reason for.
MESSAGE_REQUIRED = frozenset({Action.REQUEST_CHANGES, Action.REJECT})
MESSAGE_MISSING = _("Write a message telling the staff what to change and why.")
EMAIL_TEMPLATES = {
    Action.REQUEST_CHANGES: "catalogue/email/changes_requested",
    Action.REJECT: "catalogue/email/rejected",
}
# Versions a revert may return to.
APPROVALS = (Action.APPROVE, Action.REVERT)
# A published listing nobody confirmed for this long is due for a check.
VERIFICATION_INTERVAL = datetime.timedelta(days=365)
# Fields a decision sets, and fields a revert leaves alone: uploads are replaced in
# storage, so an older logo or brochure may no longer exist.
MODERATION_FIELDS = frozenset(
    {"status", "published_at", "verified_at", "changed_since_review"}
)
NOT_REVERTED = MODERATION_FIELDS | {"logo", "brochure", "created_at", "updated_at"}


# --- Who administers what ------------------------------------------------------


def administered_codes(user: User) -> list[str] | None:
    """The NUTS codes of the regions ``user`` administers (each with every region
    under it); None for a superuser, who administers all."""
    if not user.is_active:
        return []
    if user.is_superuser:
        return None
    # Read once per user object, that is once per request.
    if not hasattr(user, "_administered_codes"):
        user._administered_codes = list(
            RegionAdministration.objects.filter(user=user).values_list(
                "region_id", flat=True
            )
        )
    return user._administered_codes


def within(path: str, codes: Iterable[str]) -> Q:
    """Rows whose region at ``path`` (a lookup to a Region; empty for regions
    themselves) lies in one of ``codes``."""
    lookup = f"{path}__code__startswith" if path else "code__startswith"
    condition = Q(pk__in=[])
    for code in codes:
        condition |= Q(**{lookup: code})
    return condition


def administered(
    queryset: models.QuerySet, *, user: User, path: str = "region"
) -> models.QuerySet:
    """The rows of ``queryset`` that belong to the regions ``user`` administers."""
    codes = administered_codes(user)
    return queryset if codes is None else queryset.filter(within(path, codes))


def administers(*, user: User, infrastructure: Infrastructure) -> bool:
    codes = administered_codes(user)
    return codes is None or any(infrastructure.region_id.startswith(c) for c in codes)


# --- Decisions -----------------------------------------------------------------


def allowed_decisions(infrastructure: Infrastructure) -> list[str]:
    """The decisions the status of ``infrastructure`` allows, in table order; a
    revert needs an approved version."""
    allowed = [
        action
        for action, transition in DECISIONS.items()
        if infrastructure.status in transition.sources
    ]
    if Action.REVERT in allowed and last_approved_version(infrastructure) is None:
        allowed.remove(Action.REVERT)
    return allowed


def infrastructure_decide(
    *,
    infrastructure: Infrastructure,
    action: str,
    user: User,
    message: str = "",
) -> ModerationDecision:
    """Apply the partner admin's decision ``action`` (see ``DECISIONS``) to a listing
    and record it; the staff are emailed the message of a request for changes or a
    rejection. Raise PermissionDenied unless ``user`` administers the listing's
    region, ValidationError if its status does not allow the decision or a required
    message is missing."""
    transition = DECISIONS[action]
    message = message.strip()
    with transaction.atomic():
        current = Infrastructure.objects.select_for_update().get(pk=infrastructure.pk)
        if not administers(user=user, infrastructure=current):
            raise PermissionDenied
        if current.status not in transition.sources:
            raise ValidationError(
                _("“%(action)s” is not possible while the listing is “%(status)s”."),
                params={
                    "action": Action(action).label,
                    "status": current.get_status_display(),
                },
                code="decision_not_allowed",
            )
        if action in MESSAGE_REQUIRED and not message:
            raise ValidationError(MESSAGE_MISSING, code="message_required")
        from_status = current.status
        if action == Action.REVERT:
            _revert(current)
        now = timezone.now()
        current.status = transition.target
        for stamp in transition.stamps:
            setattr(current, stamp, now)
        if current.status == Status.PUBLISHED and from_status != Status.PUBLISHED:
            current.published_at = now
        current.changed_since_review = False
        current._change_reason = action
        current._history_user = user
        current.save()
        decision = ModerationDecision.objects.create(
            infrastructure=current,
            decided_by=user,
            action=action,
            from_status=from_status,
            to_status=current.status,
            message=message,
        )
        transaction.on_commit(lambda: search.refresh([current.pk]))
        if action in EMAIL_TEMPLATES:
            _email_staff(decision)
    return decision


def infrastructures_decide(
    *, infrastructures: Iterable[Infrastructure], action: str, user: User, message=""
) -> tuple[int, list[str]]:
    """Apply one decision to several listings; return how many took it and, for
    each listing that could not, why."""
    done, refused = 0, []
    for infrastructure in infrastructures:
        try:
            infrastructure_decide(
                infrastructure=infrastructure, action=action, user=user, message=message
            )
        except (ValidationError, PermissionDenied) as error:
            reason = (
                " ".join(error.messages)
                if isinstance(error, ValidationError)
                else _("You do not administer its region.")
            )
            refused.append(f"{infrastructure}: {reason}")
        else:
            done += 1
    return done, refused


def decision_summary(action: str, done: int) -> str:
    return ngettext(
        "%(action)s: %(count)d listing.", "%(action)s: %(count)d listings.", done
    ) % {"action": Action(action).label, "count": done}


def _email_staff(decision: ModerationDecision) -> None:
    infrastructure = decision.infrastructure
    staff = User.objects.filter(
        infrastructure_memberships__infrastructure=infrastructure, is_active=True
    )
    email_queue_to_users(
        users=staff,
        template=EMAIL_TEMPLATES[decision.action],
        context={
            "infrastructure_name": infrastructure.name,
            "infrastructure_slug": infrastructure.slug,
            "message": decision.message,
            "status": infrastructure.get_status_display(),
        },
    )


# --- History: the last approved version, the changes since, reverting ----------


def last_approved_version(infrastructure: Infrastructure) -> Any | None:
    """The historical record saved by the listing's last approval (or revert)."""
    return infrastructure.history.filter(history_change_reason__in=APPROVALS).first()


@dataclass(frozen=True)
class Change:
    label: str
    before: str
    after: str


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
            changes.append(
                Change(str(model._meta.verbose_name_plural).capitalize(), before, after)
            )
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
    related = field.related_model.objects.filter(pk__in=ids)
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


def _revert(infrastructure: Infrastructure) -> None:
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


# --- The queue and its counts ----------------------------------------------------


def verification_due_before() -> datetime.datetime:
    return timezone.now() - VERIFICATION_INTERVAL


def queue_sections(user: User) -> dict[str, models.QuerySet]:
    """The listings (and access requests) waiting for ``user``'s attention."""
    listings = administered(
        Infrastructure.objects.select_related("region", "host"), user=user
    )
    sections = {
        "pending": listings.awaiting_review().order_by("updated_at", "pk"),
        "changed": listings.changed_after_review().order_by("updated_at", "pk"),
        "unverified": listings.unverified_since(verification_due_before()).order_by(
            models.F("verified_at").asc(nulls_first=True), "pk"
        ),
    }
    sections["overdue"] = overdue_access_requests(user)
    return sections


def overdue_access_requests(user: User) -> models.QuerySet:
    """Access requests to ``user``'s regions overdue for a first response."""
    requests = AccessRequest.objects.overdue().select_related("infrastructure")
    return administered(requests, user=user, path="infrastructure__region").order_by(
        "response_due_at", "pk"
    )


COUNTED_STATUSES = tuple(Status.values)


def dashboard_regions(user: User) -> models.QuerySet:
    """The regions ``user`` administers; the partner regions for a superuser."""
    codes = administered_codes(user)
    if codes is None:
        return Region.objects.partners()
    return Region.objects.filter(code__in=codes)


def region_counts(user: User) -> models.QuerySet:
    """Each region ``user`` administers (the partner regions for a superuser), with
    the number of its listings in each status, changed since review and unverified.

    The counts come from one query: a region counts the listings of every region
    under it."""
    regions = dashboard_regions(user)
    due = verification_due_before()
    counts = {
        status: Count("pk", filter=Q(status=status)) for status in COUNTED_STATUSES
    }
    counts["changed"] = Count(
        "pk", filter=Q(status=Status.PUBLISHED, changed_since_review=True)
    )
    counts["unverified"] = Count(
        "pk",
        filter=Q(status=Status.PUBLISHED)
        & (Q(verified_at__lt=due) | Q(verified_at__isnull=True)),
    )
    return regions.annotate(
        **{
            f"count_{name}": _subquery_count(aggregate)
            for name, aggregate in counts.items()
        }
    ).order_by("code")


def _subquery_count(aggregate: Count) -> Coalesce:
    inside = (
        Infrastructure.objects.filter(region__code__startswith=OuterRef("code"))
        .order_by()
        .values(group=Value(1))
        .annotate(n=aggregate)
        .values("n")
    )
    return Coalesce(Subquery(inside), 0, output_field=IntegerField())
