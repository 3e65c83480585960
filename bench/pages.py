"""The page benchmark: every public page type and the pages staff and partner
admins use daily, timed through Django's test client on the search benchmark's
dataset, plus the users and access requests those pages need (``prepare()``)."""

import contextlib
import statistics
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import psycopg
from django.db import transaction
from django.db.models import Count
from django.test import Client
from django.urls import NoReverseMatch, reverse

from accounts.models import InfrastructureMembership, RegionAdministration, User
from bench.timing import PageTiming, measure_page, served_as_in_production
from catalogue.models import Infrastructure, Region, Service

# The targets of the page benchmark (medians through the test client).
MAX_PUBLIC_MEDIAN_MS = 100.0
MAX_STAFF_MEDIAN_MS = 250.0
MAX_SITEMAP_MS = 200.0

INBOX_REQUESTS = 2_000
MY_REQUESTS = 20
LISTING_SERVICES = 50

STAFF_EMAIL = "bench-staff@bench.example"
PARTNER_EMAIL = "bench-partner@bench.example"
SUPERUSER_EMAIL = "bench-admin@bench.example"
REQUESTER_EMAIL = "bench-sme@bench.example"


@dataclass(frozen=True)
class Fixtures:
    listing: Infrastructure
    service: Service
    staff: User
    partner_admin: User
    superuser: User
    requester: User
    country: str
    nuts1: str
    nuts2: str
    nuts3: str | None


@dataclass(frozen=True)
class BenchPage:
    label: str
    url: str
    user: str  # "anonymous", "staff", "partner_admin", "superuser", "requester"
    public: bool

    @property
    def target_ms(self) -> float:
        if self.url.startswith("/sitemap"):
            return MAX_SITEMAP_MS
        return MAX_PUBLIC_MEDIAN_MS if self.public else MAX_STAFF_MEDIAN_MS


def _user(email: str, **fields: Any) -> User:
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User.objects.create_user(email=email, password=None, **fields)
    return user


@transaction.atomic
def prepare(log: Callable[[str], None] = print) -> Fixtures:
    """Users and access requests of the page benchmark, created on first use."""
    from access.models import AccessRequest

    staff = _user(STAFF_EMAIL)
    listing: Infrastructure | None
    membership = (
        InfrastructureMembership.objects.filter(user=staff)
        .select_related("infrastructure")
        .first()
    )
    if membership is None:
        listing = (
            Infrastructure.objects.published()
            .annotate(n=Count("services"))
            .filter(region__code__regex=r"^[A-Z]{2}[A-Z0-9]{3}$")
            .order_by("-n", "pk")
            .first()
        )
        assert listing is not None, "The benchmark dataset has no published listing."
        missing = LISTING_SERVICES - listing.services.count()
        if missing > 0:
            template = listing.services.first()
            assert template is not None
            for n in range(missing):
                template.pk = None
                template.id = None
                template.slug = f"bench-service-{n}"
                template.name = f"Bench service {n}"
                template._state.adding = True
                template.save()
        InfrastructureMembership.objects.create(
            user=staff, infrastructure=listing, role="manager"
        )
        log(f"  staff of {listing.slug} ({listing.services.count()} services)")
    else:
        listing = membership.infrastructure
    assert listing is not None
    region = listing.region_id
    partner_admin = _user(PARTNER_EMAIL, is_staff=True)
    if not RegionAdministration.objects.filter(user=partner_admin).exists():
        from django.contrib.auth.models import Group

        RegionAdministration.objects.create(user=partner_admin, region_id=region[:4])
        group = Group.objects.filter(name="Partner admin").first()
        if group:
            partner_admin.groups.add(group)
    superuser = _user(SUPERUSER_EMAIL, is_staff=True, is_superuser=True)
    requester = _user(REQUESTER_EMAIL)
    existing = AccessRequest.objects.filter(infrastructure=listing).count()
    if existing < INBOX_REQUESTS:
        _access_requests(
            listing=listing,
            requester=requester,
            count=INBOX_REQUESTS - existing,
            requester_count=max(0, MY_REQUESTS - existing),
        )
        log(f"  {INBOX_REQUESTS} access requests to {listing.slug}")
    service = listing.services.order_by("pk").first()
    assert service is not None
    nuts3 = region if len(region) == 5 else None
    return Fixtures(
        listing=listing,
        service=service,
        staff=staff,
        partner_admin=partner_admin,
        superuser=superuser,
        requester=requester,
        country=region[:2],
        nuts1=region[:3],
        nuts2=region[:4],
        nuts3=nuts3,
    )


def _access_requests(
    *, listing: Infrastructure, requester: User, count: int, requester_count: int
) -> None:
    import datetime
    import uuid

    from django.utils import timezone

    from access.models import AccessRequest, State

    states = [State.SUBMITTED, State.SUBMITTED, State.ACCEPTED, State.DECLINED]
    now = timezone.now()
    rows = []
    for n in range(count):
        state = states[n % len(states)]
        submitted = now - datetime.timedelta(hours=n)
        rows.append(
            AccessRequest(
                infrastructure=listing,
                requester=requester if n < requester_count else None,
                brief=uuid.uuid4(),
                state=state,
                need=f"Benchmark request {n}: tensile tests on printed samples.",
                company_name=f"Bench company {n % 300}",
                contact_name=f"Contact {n}",
                contact_email=f"contact{n}@bench.example",
                consent_share=True,
                privacy_accepted=True,
                submitted_at=submitted,
                response_due_at=submitted + datetime.timedelta(days=5),
                escalation_due_at=submitted + datetime.timedelta(days=10),
                decline_reason="Fully booked." if state == State.DECLINED else "",
            )
        )
    AccessRequest.objects.bulk_create(rows, batch_size=1000)


def bench_pages(fixtures: Fixtures) -> list[BenchPage]:
    listing = fixtures.listing
    pk = listing.pk
    pages = [
        BenchPage("home", reverse("home"), "anonymous", True),
        BenchPage(
            "RII detail",
            reverse("catalogue:infrastructure_detail", args=[listing.slug]),
            "anonymous",
            True,
        ),
    ]
    for level, code in (
        ("country", fixtures.country),
        ("NUTS-1", fixtures.nuts1),
        ("NUTS-2", fixtures.nuts2),
        ("NUTS-3", fixtures.nuts3),
    ):
        if code and Region.objects.filter(code=code).exists():
            pages.append(
                BenchPage(
                    f"region {level} {code}",
                    reverse("catalogue:region_detail", args=[code]),
                    "anonymous",
                    True,
                )
            )
    pages += [
        BenchPage(
            "technology AM",
            reverse("catalogue:technology_detail", args=["AM"]),
            "anonymous",
            True,
        ),
        BenchPage(
            "technology NANO (2012)",
            reverse("catalogue:technology_detail", args=["NANO"]),
            "anonymous",
            True,
        ),
    ]
    for label, name in (
        ("regions index", "catalogue:region_list"),
        ("technologies index", "catalogue:technology_list"),
    ):
        # The index pages do not exist (yet): they are timed once they do.
        with contextlib.suppress(NoReverseMatch):
            pages.append(BenchPage(label, reverse(name), "anonymous", True))
    pages += [
        BenchPage("sitemap index", reverse("sitemap"), "anonymous", True),
        BenchPage(
            "sitemap section (first)",
            reverse("sitemap_section", args=["infrastructures"]) + "?p=1",
            "anonymous",
            True,
        ),
        BenchPage(
            "sitemap section (last)",
            reverse("sitemap_section", args=["infrastructures"]) + "?p=4",
            "anonymous",
            True,
        ),
        BenchPage(
            "workspace dashboard", reverse("workspace:dashboard"), "staff", False
        ),
        BenchPage(
            "workspace listing (50 services)",
            reverse("workspace:infrastructure_detail", args=[listing.slug]),
            "staff",
            False,
        ),
        BenchPage(
            "workspace edit listing",
            reverse("workspace:infrastructure_edit", args=[listing.slug]),
            "staff",
            False,
        ),
        BenchPage(
            "workspace edit service",
            reverse(
                "workspace:service_edit", args=[listing.slug, fixtures.service.slug]
            ),
            "staff",
            False,
        ),
        BenchPage("staff inbox (2,000)", reverse("access:inbox"), "staff", False),
        BenchPage("my requests", reverse("access:my_requests"), "requester", False),
    ]
    for model in ("infrastructure", "service", "equipment"):
        pages.append(
            BenchPage(
                f"admin {model} list",
                reverse(f"admin:catalogue_{model}_changelist"),
                "superuser",
                False,
            )
        )
    pages += [
        BenchPage(
            "admin access requests",
            reverse("admin:access_accessrequest_changelist"),
            "superuser",
            False,
        ),
        BenchPage(
            "admin infrastructure list (partner)",
            reverse("admin:catalogue_infrastructure_changelist"),
            "partner_admin",
            False,
        ),
        BenchPage(
            "moderation queue",
            reverse("admin:catalogue_infrastructure_moderation"),
            "superuser",
            False,
        ),
        BenchPage(
            "moderation queue (partner)",
            reverse("admin:catalogue_infrastructure_moderation"),
            "partner_admin",
            False,
        ),
        BenchPage(
            "admin listing change (superuser)",
            reverse("admin:catalogue_infrastructure_change", args=[pk]),
            "superuser",
            False,
        ),
        BenchPage(
            "admin listing change (partner)",
            reverse("admin:catalogue_infrastructure_change", args=[pk]),
            "partner_admin",
            False,
        ),
    ]
    return pages


def measure(
    pages: Sequence[BenchPage],
    fixtures: Fixtures,
    *,
    runs: int,
    replay: psycopg.Connection,
    progress: Callable[[BenchPage, PageTiming | str], None] = lambda page, t: None,
) -> list[tuple[BenchPage, PageTiming | str]]:
    """Time every page as production would serve it (DEBUG off)."""
    users = {
        "staff": fixtures.staff,
        "partner_admin": fixtures.partner_admin,
        "superuser": fixtures.superuser,
        "requester": fixtures.requester,
    }
    results: list[tuple[BenchPage, PageTiming | str]] = []
    with served_as_in_production():
        clients = {"anonymous": Client()}
        for name, user in users.items():
            clients[name] = Client()
            clients[name].force_login(user)
        for page in pages:
            try:
                timing: PageTiming | str = measure_page(
                    clients[page.user],
                    page.url,
                    label=page.label,
                    runs=runs,
                    replay=replay,
                )
            except Exception as error:  # noqa: BLE001 - reported, not hidden
                timing = f"error: {error}"
            progress(page, timing)
            results.append((page, timing))
    return results


def report(
    dataset: dict[str, Any], results: Sequence[tuple[BenchPage, PageTiming | str]]
) -> dict[str, Any]:
    rows = []
    missed = []
    for page, timing in results:
        row: dict[str, Any] = {
            "label": page.label,
            "url": page.url,
            "user": page.user,
            "target_median_ms": page.target_ms,
        }
        if isinstance(timing, str):
            row["error"] = timing
            missed.append(f"{page.label}: {timing}")
        else:
            row.update(timing.as_json())
            if timing.median_ms > page.target_ms:
                missed.append(
                    f"{page.label}: median {timing.median_ms:.0f} ms "
                    f"> {page.target_ms:.0f} ms"
                )
        rows.append(row)
    medians = [t.median_ms for _, t in results if not isinstance(t, str)]
    return {
        "dataset": dataset,
        "pages": rows,
        "summary": {
            "max_median_ms": round(max(medians), 2) if medians else None,
            "median_of_medians_ms": round(statistics.median(medians), 2)
            if medians
            else None,
            "targets": {
                "public_median_ms": MAX_PUBLIC_MEDIAN_MS,
                "staff_median_ms": MAX_STAFF_MEDIAN_MS,
                "sitemap_ms": MAX_SITEMAP_MS,
            },
            "missed": missed,
        },
    }


def table(results: Sequence[tuple[BenchPage, PageTiming | str]]) -> str:
    header = f"| {'page':<36} | queries | median ms | p95 ms | target ms |"
    lines = [header, "|" + "---|" * 5]
    for page, timing in results:
        if isinstance(timing, str):
            lines.append(f"| {page.label:<36} | - | - | - | {timing[:60]} |")
        else:
            lines.append(
                f"| {page.label:<36} | {timing.queries} | {timing.median_ms:.1f} "
                f"| {timing.p95_ms:.1f} | {page.target_ms:.0f} |"
            )
    return "\n".join(lines)
