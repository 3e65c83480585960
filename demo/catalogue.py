"""The demo catalogue: real infrastructures of the eight partner regions.

Loaded by ``manage.py load_demo`` from ``fixtures/demo/<NUTS code>.json``. Loading is
idempotent: every object is matched by its natural key and updated in place.
"""

import datetime
import json
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from allauth.account.models import EmailAddress
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from accounts.models import (
    InfrastructureMembership,
    Organisation,
    RegionAdministration,
    User,
)
from catalogue import services
from catalogue.models import (
    Concept,
    Equipment,
    GoodPractice,
    Infrastructure,
    ModerationDecision,
    Region,
    RIS3Priority,
    Service,
)

DEMO_DIR = Path(__file__).resolve().parent.parent / "fixtures" / "demo"
DEMO_PASSWORD = "rii-demo-2026"
SUPERUSER_EMAIL = "admin@demo.rii-portal.eu"
STATUSES = {"published": "published", "draft": "draft", "pending": "pending"}


def partner_admin_email(region_code: str) -> str:
    return f"partner-{region_code.lower()}@demo.rii-portal.eu"


def staff_email(slug: str) -> str:
    return f"staff-{slug[:50]}@demo.rii-portal.eu"


@dataclass
class DemoSummary:
    infrastructures: int = 0
    services: int = 0
    equipment: int = 0
    good_practices: int = 0
    regions: list[str] = field(default_factory=list)


class ConceptLookup:
    """Concepts by (scheme, code), read once."""

    def __init__(self) -> None:
        self._by_key = {(c.scheme, c.code): c for c in Concept.objects.all()}

    def one(self, scheme: str, code: str) -> Concept:
        return self._by_key[scheme, code]

    def many(self, scheme: str, codes: list[str]) -> list[Concept]:
        return [self._by_key[scheme, code] for code in codes]


def _unique_slug(name: str, taken: set[str]) -> str:
    base = slugify(name)[:200] or "item"
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    taken.add(slug)
    return slug


def _coordinate(value: float | None) -> Decimal | None:
    """A coordinate as the model keeps it (5 decimals, about a metre)."""
    if value is None:
        return None
    return Decimal(str(value)).quantize(Decimal("0.00001"))


def _user(email: str, **defaults) -> User:
    user, created = User.objects.get_or_create(email=email, defaults=defaults)
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
    # Sign-in requires a verified address; the demo's mailboxes do not exist.
    EmailAddress.objects.update_or_create(
        user=user, email=user.email, defaults={"verified": True, "primary": True}
    )
    return user


@transaction.atomic
def load_demo_catalogue(directory: Path = DEMO_DIR) -> DemoSummary:
    """Load every region file in ``directory`` and the demo users."""
    concepts = ConceptLookup()
    summary = DemoSummary()
    _user(
        SUPERUSER_EMAIL,
        first_name="Demo",
        last_name="Administrator",
        is_staff=True,
        is_superuser=True,
    )
    for index, path in enumerate(sorted(directory.glob("*.json"))):
        with open(path, encoding="utf-8") as f:
            data = json.load(f)
        _load_region(data, concepts, summary, region_index=index)
    return summary


def _load_region(
    data: dict, concepts: ConceptLookup, summary: DemoSummary, region_index: int
) -> None:
    region = Region.objects.get(code=data["region"])
    if data.get("profile"):
        region.profile = data["profile"]
        region.save(update_fields=["profile"])
    summary.regions.append(region.code)

    admin = _user(
        partner_admin_email(region.code),
        first_name="Partner admin",
        last_name=region.display_name,
        is_staff=True,
    )
    admin.groups.add(Group.objects.get(name="Partner admin"))
    RegionAdministration.objects.get_or_create(user=admin, region=region)

    priorities = {}
    for order, item in enumerate(data["ris3_priorities"], start=1):
        priority, _ = RIS3Priority.objects.update_or_create(
            region=region,
            name=item["name"],
            defaults={"description": item["description"], "order": order},
        )
        priority.nabs_chapters.set(concepts.many("nabs", item["nabs"]))
        priority.nace_sections.set(concepts.many("nace", item["nace"]))
        priority.kets.set(concepts.many("ket", item["kets"]))
        priorities[item["key"]] = priority

    organisations = {}
    for item in data["organisations"]:
        organisations[item["key"]], _ = Organisation.objects.update_or_create(
            slug=slugify(item["name"])[:200],
            defaults={
                "name": item["name"],
                "kind": item["kind"],
                "country_id": item["country"],
                "region_id": item["region"] or None,
                "website": item["website"],
            },
        )

    infrastructures, published = {}, 0
    for position, item in enumerate(data["infrastructures"]):
        rii = _load_infrastructure(
            item,
            host=organisations[item["host"]],
            priorities=[priorities[key] for key in item["ris3_priorities"]],
            concepts=concepts,
            age_days=region_index * 7 + position * 29,
        )
        if rii.is_published:
            _approve(rii, admin)
            _set_review_state(rii, published)
            published += 1
        infrastructures[rii.name] = rii
        summary.infrastructures += 1
        summary.services += rii.services.count()
        summary.equipment += rii.equipment.count()
        staff = _user(
            staff_email(rii.slug), first_name="Staff", last_name=rii.name[:150]
        )
        staff.groups.add(Group.objects.get(name="RII staff"))
        InfrastructureMembership.objects.get_or_create(
            user=staff, infrastructure=rii, defaults={"role": "manager"}
        )

    for item in data["good_practices"]:
        GoodPractice.objects.update_or_create(
            slug=slugify(item["title"])[:200],
            defaults={
                "title": item["title"],
                "region": region,
                "infrastructure": infrastructures.get(item["infrastructure"]),
                "summary": item["summary"],
                "what_worked": item["what_worked"],
                "source_url": item["source_url"],
            },
        )
        summary.good_practices += 1


# Where a published listing stands in the moderation queue, by its position among a
# region's published listings: the second was edited by its staff since its
# approval, the third was last verified more than a year ago.
CHANGED_POSITION, STALE_POSITION = 1, 2
STALE_DAYS = 400
# The demo's published listings, as if a partner admin had approved them.
DEMO_APPROVAL = services.Source("demo approval", reason="approve", needs_review=False)


def _approve(rii: Infrastructure, admin: User) -> None:
    """Record the approval of a published listing as a partner admin's decision
    does: its version with the items loaded, and the decision (once)."""
    services.listing_save(infrastructure=rii, source=DEMO_APPROVAL)
    ModerationDecision.objects.get_or_create(
        infrastructure=rii,
        action=ModerationDecision.Action.APPROVE,
        defaults={
            "decided_by": admin,
            "from_status": Infrastructure.Status.PENDING,
            "to_status": Infrastructure.Status.PUBLISHED,
        },
    )


def _set_review_state(rii: Infrastructure, position: int) -> None:
    """Give the partner admins' queue something to show."""
    if position == STALE_POSITION:
        rii.verified_at = timezone.now() - datetime.timedelta(days=STALE_DAYS)
        services.listing_save(
            infrastructure=rii, source=services.DEMO, update_fields=["verified_at"]
        )
    elif position == CHANGED_POSITION:
        # An edit by the staff since the approval.
        summary = f"{rii.summary.rstrip('.')}, now open to SMEs on short notice."
        services.infrastructure_update(
            infrastructure=rii, data={"summary": summary[:300]}, source=services.STAFF
        )


def _load_infrastructure(
    item: dict,
    *,
    host: Organisation,
    priorities: list[RIS3Priority],
    concepts: ConceptLookup,
    age_days: int,
) -> Infrastructure:
    now = timezone.now()
    status = STATUSES[item["status"]]
    published = status == "published"
    # Spread verification dates so that some listings are due for re-confirmation.
    verified_at = now - datetime.timedelta(days=age_days % 500)
    rii = services.infrastructure_put(
        slug=slugify(item["name"])[:200],
        data={
            "name": item["name"],
            "acronym": item["acronym"],
            "host": host,
            "region_id": item["region"],
            "address": item["address"],
            "city": item["city"],
            "latitude": _coordinate(item["latitude"]),
            "longitude": _coordinate(item["longitude"]),
            "website": item["website"],
            "summary": item["summary"],
            "description": item["description"],
            "structure": concepts.one("structure", item["structure"]),
            "access_policy": item["access_policy"],
            "sme_offer": item["sme_offer"],
            "contact_email": item["contact_email"],
            "contact_name": item["contact_name"],
            "status": status,
            "published_at": verified_at - datetime.timedelta(days=400)
            if published
            else None,
            "verified_at": verified_at if published else None,
            "types": concepts.many("rii_type", item["types"]),
            "kets": concepts.many("ket", item["kets"]),
            "scientific_domains": concepts.many(
                "scientific_domain", item["scientific_domains"]
            ),
            "languages": concepts.many("language", item["languages"]),
            "ris3_priorities": priorities,
        },
        source=services.DEMO,
    )

    offered: dict[str, Service] = {}
    taken: set[str] = set()
    for order, entry in enumerate(item["services"], start=1):
        offered[entry["key"]] = services.item_put(
            Service,
            infrastructure=rii,
            slug=_unique_slug(entry["name"], taken),
            data={
                "name": entry["name"],
                "description": entry["description"],
                "service_type": concepts.one("service_type", entry["service_type"]),
                "trl_from": entry["trl_from"],
                "trl_to": entry["trl_to"],
                "access_mode": concepts.one("access_mode", entry["access_mode"]),
                "price_band": entry["price_band"],
                "sme_rate_available": entry["sme_rate"],
                "lead_time_days": entry["lead_time_days"],
                "ip_default": entry["ip_default"],
                "nda_available": entry["nda_available"],
                "booking_url": entry["booking_url"],
                "order": order,
                "kets": concepts.many("ket", entry["kets"]),
                "languages": concepts.many("language", entry["languages"]),
                "target_users": concepts.many("target_user", entry["target_users"]),
            },
            source=services.DEMO,
        )
    services.items_keep(Service, infrastructure=rii, slugs=taken, source=services.DEMO)

    taken = set()
    for order, entry in enumerate(item["equipment"], start=1):
        slug = _unique_slug(entry["name"], taken)
        services.item_put(
            Equipment,
            infrastructure=rii,
            slug=slug,
            data={
                "name": entry["name"],
                "category": concepts.one("equipment_category", entry["category"]),
                "technique": entry["technique"],
                "manufacturer": entry["manufacturer"],
                "model": entry["model"],
                "year_commissioned": entry["year_commissioned"],
                "quantity": entry["quantity"],
                "training_required": entry["training_required"],
                "access": entry["access"],
                "uniquip_id": f"{rii.slug}/{slug}"[:100],
                "order": order,
                "services": [offered[key] for key in entry["services"]],
            },
            source=services.DEMO,
        )
    services.items_keep(
        Equipment, infrastructure=rii, slugs=taken, source=services.DEMO
    )
    return rii
