"""Plain factories for tests: keyword-only, typed, creating missing relations."""

import itertools
import time
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from allauth.account.models import EmailAddress
from allauth.mfa import app_settings as mfa_settings
from allauth.mfa.totp.internal.auth import (
    TOTP,
    format_hotp_value,
    generate_totp_secret,
    hotp_value,
)
from django.contrib.auth.models import Group
from django.utils import timezone

from accounts.models import (
    INVITATION_VALIDITY,
    CompanyMembership,
    InfrastructureMembership,
    Invitation,
    Organisation,
    RegionAdministration,
    User,
)
from catalogue.models import (
    Concept,
    Equipment,
    Infrastructure,
    Region,
    RIS3Priority,
    Service,
)

if TYPE_CHECKING:
    from access.models import AccessRequest

_sequence = itertools.count(1)


def concept(scheme: str, code: str) -> Concept:
    return Concept.objects.get(scheme=scheme, code=code)


def make_user(*, email: str | None = None, password: str = "pw", **fields: Any) -> User:
    email = email or f"user{next(_sequence)}@example.org"
    return User.objects.create_user(email=email, password=password, **fields)


def make_account(
    *, email: str | None = None, password: str = "pw", **fields: Any
) -> User:
    """A user who signed up and confirmed their email address."""
    user = make_user(email=email, password=password, **fields)
    EmailAddress.objects.create(
        user=user, email=user.email, verified=True, primary=True
    )
    return user


def make_organisation(
    *,
    name: str | None = None,
    kind: str = "university",
    country: str = "IT",
    region: str | None = None,
    **fields: Any,
) -> Organisation:
    n = next(_sequence)
    return Organisation.objects.create(
        name=name or f"Organisation {n}",
        slug=f"organisation-{n}",
        kind=kind,
        country_id=country,
        region_id=region,
        **fields,
    )


def make_infrastructure(
    *,
    name: str | None = None,
    region: str = "ITH55",
    host: Organisation | None = None,
    status: str = "published",
    kets: Sequence[str] = (),
    **fields: Any,
) -> Infrastructure:
    n = next(_sequence)
    name = name or f"Infrastructure {n}"
    fields.setdefault("summary", f"What {name} offers.")
    fields.setdefault("city", "Bologna")
    fields.setdefault("contact_email", f"rii{n}@example.org")
    if status == "published":
        fields.setdefault("published_at", timezone.now())
    infrastructure = Infrastructure.objects.create(
        name=name,
        slug=fields.pop("slug", f"infrastructure-{n}"),
        region_id=region,
        host=host or make_organisation(country=region[:2]),
        status=status,
        **fields,
    )
    infrastructure.kets.set([concept("ket", code) for code in kets])
    return infrastructure


def make_service(
    *,
    infrastructure: Infrastructure | None = None,
    name: str | None = None,
    service_type: str = "testing",
    access_mode: str = "staff_operated",
    trl_from: int = 3,
    trl_to: int = 6,
    **fields: Any,
) -> Service:
    n = next(_sequence)
    return Service.objects.create(
        infrastructure=infrastructure or make_infrastructure(),
        name=name or f"Service {n}",
        slug=fields.pop("slug", f"service-{n}"),
        service_type=concept("service_type", service_type),
        access_mode=concept("access_mode", access_mode),
        trl_from=trl_from,
        trl_to=trl_to,
        **fields,
    )


def make_equipment(
    *,
    infrastructure: Infrastructure | None = None,
    name: str | None = None,
    category: str = "electron_microscopy",
    **fields: Any,
) -> Equipment:
    n = next(_sequence)
    return Equipment.objects.create(
        infrastructure=infrastructure or make_infrastructure(),
        name=name or f"Equipment {n}",
        slug=fields.pop("slug", f"equipment-{n}"),
        category=concept("equipment_category", category),
        **fields,
    )


def make_ris3_priority(
    *, region: str = "ITH5", name: str | None = None
) -> RIS3Priority:
    return RIS3Priority.objects.create(
        region=Region.objects.get(code=region),
        name=name or f"Priority {next(_sequence)}",
    )


def make_staff(*, infrastructure: Infrastructure, role: str = "manager") -> User:
    user = make_user()
    InfrastructureMembership.objects.create(
        user=user, infrastructure=infrastructure, role=role
    )
    return user


def make_partner_admin(*, region: str = "ITH5") -> User:
    user = make_user(is_staff=True)
    RegionAdministration.objects.create(user=user, region_id=region)
    return user


def make_moderator(*, region: str = "ITH5") -> User:
    """A partner admin as the portal sets one up: region and group."""
    user = make_partner_admin(region=region)
    user.groups.add(Group.objects.get(name="Partner admin"))
    return user


def make_totp(*, user: User) -> str:
    """Activate an authenticator app for ``user``; return its secret."""
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    return secret


def totp_code(secret: str) -> str:
    """The code an authenticator app with ``secret`` shows now."""
    period = mfa_settings.TOTP_PERIOD
    seconds_left = period - time.time() % period
    if seconds_left < 2:
        # Let the code be used within the period it belongs to.
        time.sleep(seconds_left)
    return format_hotp_value(hotp_value(secret, int(time.time()) // period))


def make_company(
    *,
    name: str | None = None,
    country: str = "IT",
    size_class: str = "small",
    **fields: Any,
) -> Organisation:
    return make_organisation(
        name=name, kind="company", country=country, size_class=size_class, **fields
    )


def make_company_member(
    *,
    user: User | None = None,
    company: Organisation | None = None,
    job_title: str = "",
) -> CompanyMembership:
    return CompanyMembership.objects.create(
        user=user or make_account(),
        organisation=company or make_company(),
        job_title=job_title,
    )


def make_invitation(
    *,
    infrastructure: Infrastructure | None = None,
    email: str | None = None,
    role: str = "editor",
    invited_by: User | None = None,
    **fields: Any,
) -> Invitation:
    infrastructure = infrastructure or make_infrastructure()
    fields.setdefault("expires_at", timezone.now() + INVITATION_VALIDITY)
    return Invitation.objects.create(
        infrastructure=infrastructure,
        email=email or f"invited{next(_sequence)}@example.org",
        role=role,
        invited_by=invited_by or make_staff(infrastructure=infrastructure),
        **fields,
    )


def make_access_request(
    *,
    infrastructure: Infrastructure | None = None,
    requester: User | None = None,
    state: str = "submitted",
    **fields: Any,
) -> "AccessRequest":
    """A request as the workflow leaves it in ``state`` (submitted unless told)."""
    import uuid

    from access.models import AccessRequest
    from access.querysets import (
        ESCALATION_WORKING_DAYS,
        REMINDER_WORKING_DAYS,
        add_working_days,
    )

    infrastructure = infrastructure or make_infrastructure()
    submitted_at = fields.pop("submitted_at", timezone.now())
    if state != "unconfirmed":
        fields.setdefault("submitted_at", submitted_at)
        fields.setdefault(
            "response_due_at", add_working_days(submitted_at, REMINDER_WORKING_DAYS)
        )
        fields.setdefault(
            "escalation_due_at",
            add_working_days(submitted_at, ESCALATION_WORKING_DAYS),
        )
    if state == "declined":
        fields.setdefault("decline_reason", "Fully booked.")
    email = requester.email if requester else f"guest{next(_sequence)}@example.com"
    fields.setdefault("contact_email", email)
    return AccessRequest.objects.create(
        infrastructure=infrastructure,
        requester=requester,
        brief=uuid.uuid4(),
        state=state,
        need=fields.pop("need", "Tensile tests on 20 printed titanium samples."),
        company_name=fields.pop("company_name", "Acme Additive Srl"),
        contact_name=fields.pop("contact_name", "Giulia Rossi"),
        consent_share=True,
        privacy_accepted=True,
        **fields,
    )
