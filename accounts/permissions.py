"""Who may see, edit, manage, moderate or import what: the portal's one answer.

Three kinds of role decide it, all held in this app:

- **RII staff** are managers or editors of a listing (``InfrastructureMembership``);
  both edit it, managers also invite staff.
- **Partner admins** administer one or more NUTS regions (``RegionAdministration``),
  and so every region under them: NUTS codes nest by prefix, so ``ITH`` covers
  ``ITH5`` and ``ITH55``.
- **SMEs** act for their company (``CompanyMembership``) and see the access requests
  they sent.

Superusers may do everything. Inactive and anonymous users may do nothing.

Predicates (``may_*``) answer for one object; scopes (``*_q``) are ``Q`` conditions
that the querysets of other apps filter with (``Infrastructure.objects.editable_by``,
``AccessRequest.objects.for_staff``, the admin's region scoping), so that a list
and the page it links to always agree. Objects of other apps are read through the
attributes they share (``pk``, ``region_id``), so this module imports none of them.
"""

from collections.abc import Iterable
from typing import Any, Protocol, TypeGuard

from django.contrib.auth.models import AnonymousUser
from django.db.models import Exists, F, OuterRef, Q
from django.db.models.lookups import StartsWith

from .models import (
    InfrastructureMembership,
    MembershipRole,
    RegionAdministration,
    User,
)

AnyUser = User | AnonymousUser
# The role a partner admin holds on the listings of their regions.
MODERATOR = "partner_admin"
STAFF_ROLES = frozenset(MembershipRole.values)


class Listing(Protocol):
    """What a permission needs of a listing (``catalogue.Infrastructure``)."""

    pk: Any
    region_id: str


def _active(user: AnyUser | None) -> TypeGuard[User]:
    return user is not None and user.is_authenticated and user.is_active


# --- Regions: partner admins ---------------------------------------------------


def administered_codes(user: AnyUser | None) -> list[str] | None:
    """The NUTS codes of the regions ``user`` administers (each covering every
    region under it); None for a superuser, who administers all."""
    if not _active(user):
        return []
    assert isinstance(user, User)
    if user.is_superuser:
        return None
    # Read once per user object, that is once per request.
    if not hasattr(user, "_administered_codes"):
        user._administered_codes = list(  # type: ignore[attr-defined]
            RegionAdministration.objects.filter(user=user).values_list(
                "region_id", flat=True
            )
        )
    return user._administered_codes  # type: ignore[attr-defined]


def within(path: str, codes: Iterable[str]) -> Q:
    """Rows whose region at ``path`` (a lookup to a Region; empty for regions
    themselves) lies in one of the regions ``codes``."""
    lookup = f"{path}__code__startswith" if path else "code__startswith"
    condition = Q(pk__in=[])
    for code in codes:
        condition |= Q(**{lookup: code})
    return condition


def moderators_of(code: str) -> frozenset[int]:
    """The ids of the partner admins of the region ``code``: those who administer
    it or a region above it."""
    prefixes = [code[:length] for length in range(2, len(code) + 1)]
    return frozenset(
        RegionAdministration.objects.filter(
            region_id__in=prefixes, user__is_active=True
        ).values_list("user_id", flat=True)
    )


def moderated_regions_q() -> Q:
    """Regions that some partner admin administers (or lies below): where a
    listing's changes have someone to review them."""
    codes = RegionAdministration.objects.filter(user__is_active=True).values_list(
        "region_id", flat=True
    )
    return within("", set(codes))


def administered_q(user: AnyUser | None, path: str = "region") -> Q:
    """Rows whose region at ``path`` is one ``user`` administers."""
    codes = administered_codes(user)
    return Q() if codes is None else within(path, codes)


def administers_region(user: AnyUser | None, code: str) -> bool:
    """Whether ``user`` administers the region ``code`` (or one above it)."""
    codes = administered_codes(user)
    return codes is None or any(code.startswith(prefix) for prefix in codes)


def may_moderate(user: AnyUser | None, infrastructure: Listing) -> bool:
    """Partner admins decide on the listings of their regions."""
    return _active(user) and administers_region(user, infrastructure.region_id)


def may_import(user: AnyUser | None) -> bool:
    """Partner admins (into their regions) and superusers import spreadsheets."""
    return (
        _active(user)
        and user.has_perm("imports.add_importjob")
        and administered_codes(user) != []
    )


# --- Listings: RII staff --------------------------------------------------------


def listing_role(user: AnyUser | None, infrastructure: Listing) -> str | None:
    """The membership role of ``user`` on a listing; a superuser counts as a
    manager."""
    if not _active(user):
        return None
    if user.is_superuser:
        return MembershipRole.MANAGER
    return (
        InfrastructureMembership.objects.filter(
            user=user, infrastructure_id=infrastructure.pk
        )
        .values_list("role", flat=True)
        .first()
    )


def listing_roles(user: AnyUser | None, infrastructure: Listing) -> frozenset[str]:
    """Every role ``user`` holds on a listing: its staff role, and ``MODERATOR``
    when they administer its region."""
    roles = set()
    role = listing_role(user, infrastructure)
    if role is not None:
        roles.add(role)
    if may_moderate(user, infrastructure):
        roles.add(MODERATOR)
    return frozenset(roles)


def may_edit_listing(user: AnyUser | None, infrastructure: Listing) -> bool:
    """Managers and editors edit their listing."""
    return listing_role(user, infrastructure) is not None


def is_manager(user: AnyUser | None, role: str | None) -> bool:
    """Whether the role ``role`` (see ``listing_role``) manages the listing."""
    return _active(user) and (user.is_superuser or role == MembershipRole.MANAGER)


def may_preview_listing(user: AnyUser | None, infrastructure: Listing) -> bool:
    """An unpublished listing (and its files) is seen by its staff and by the
    partner admins of its region."""
    return may_edit_listing(user, infrastructure) or (
        _active(user) and bool(user.is_staff) and may_moderate(user, infrastructure)
    )


def editable_q(user: AnyUser | None, path: str = "") -> Q | None:
    """Listings (at ``path``, a lookup to a listing; empty for listings themselves)
    that ``user`` is manager or editor of; None for a superuser, who edits all."""
    if not _active(user):
        return Q(pk__in=[])
    if user.is_superuser:
        return None
    members = InfrastructureMembership.objects.filter(
        infrastructure=OuterRef(path or "pk"), user=user
    )
    return Q(Exists(members))


def role_subquery(user: AnyUser | None) -> Any:
    """The role of ``user`` on the listing of the outer query, for annotations."""
    return InfrastructureMembership.objects.filter(
        infrastructure=OuterRef("pk"), user=user if _active(user) else None
    ).values("role")[:1]


def invitable_q(user: AnyUser | None) -> Q | None:
    """Listings whose staff ``user`` may invite people to join: a manager to their
    listing; a partner admin to every listing of their regions (e.g. its first
    manager); None for a superuser, who may invite to any."""
    if not _active(user):
        return Q(pk__in=[])
    if user.is_superuser:
        return None
    managed = InfrastructureMembership.objects.filter(
        user=user, infrastructure=OuterRef("pk"), role=MembershipRole.MANAGER
    )
    administered = RegionAdministration.objects.filter(
        StartsWith(OuterRef("region_id"), F("region_id")), user=user
    )
    return Q(Exists(managed) | Exists(administered))


# --- Access requests: staff and requesters --------------------------------------


def staffs_listing(user: AnyUser | None, infrastructure_id: Any) -> bool:
    """Whether ``user`` answers the access requests of a listing: its staff, or a
    superuser."""
    if not _active(user):
        return False
    return (
        user.is_superuser
        or InfrastructureMembership.objects.filter(
            user=user, infrastructure_id=infrastructure_id
        ).exists()
    )


def is_requester(
    user: AnyUser | None, *, requester_id: Any, contact_email: str
) -> bool:
    """Whether ``user`` sent a request: as its signed-in requester, or as a guest
    from an address they have since confirmed as theirs."""
    if not _active(user):
        return False
    assert isinstance(user, User)
    if requester_id is not None:
        return requester_id == user.pk
    return contact_email.lower() in user.confirmed_email_addresses()


def requested_by_q(user: AnyUser | None) -> Q:
    """Requests ``user`` sent, or sent as a guest from one of their addresses."""
    if not _active(user):
        return Q(pk__in=[])
    assert isinstance(user, User)
    return Q(requester=user) | Q(
        requester__isnull=True,
        contact_email__in=user.confirmed_email_addresses(),
    )
