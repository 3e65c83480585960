"""The benchmark's synthetic EU-scale catalogue.

``generate_catalogue`` fills the current database with a reproducible catalogue
(fixed seed, every NUTS-2 region, skewed tag distributions, texts from word lists with
very common and very rare words, see ``words``). ``manage.py bench_search`` builds it
in a database of its own and times search pages over it (``timing``).
"""

# Size: one generator over one random stream; its steps (organisations, listings,
# services, equipment) draw from the same seeded state in order, and apart they
# would only pass that state around.

import datetime
import hashlib
import json
import random
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass
from itertools import islice
from typing import Any

from django.db import connection
from django.db.models import Model
from django.utils.text import slugify

from accounts.models import Organisation, OrganisationKind
from catalogue.models import (
    Concept,
    Equipment,
    Infrastructure,
    IPDefault,
    Region,
    RIS3Priority,
    Service,
)

# Bump when the generator changes, so that an existing benchmark database is rebuilt.
from .words import (
    ACCESS_WEIGHTS,
    COUNTRY_LANGUAGES,
    EQUIPMENT,
    EQUIPMENT_WEIGHTS,
    FIELDS,
    KET_WEIGHTS,
    KINDS,
    ORGANISATION_PATTERNS,
    PRICE_WEIGHTS,
    QUALIFIERS,
    RARE_WORDS,
    RIS3_THEMES,
    SENTENCES,
    SERVICE_ACTIVITIES,
    SERVICE_TYPE_WEIGHTS,
    STATUS_WEIGHTS,
    TYPE_WEIGHTS,
)

GENERATOR_VERSION = 1
SEED = 20260101
# Dates are relative to a fixed day so that the dataset does not depend on the clock.
REFERENCE_DAY = datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)


@dataclass(frozen=True)
class DatasetSize:
    infrastructures: int = 20_000
    services: int = 100_000
    equipment: int = 200_000
    organisations: int = 4_000
    seed: int = SEED

    def fingerprint(self) -> str:
        """Identifies the dataset this size and seed generate."""
        text = json.dumps({**asdict(self), "version": GENERATOR_VERSION})
        return hashlib.sha256(text.encode()).hexdigest()[:16]


# --- The generator ----------------------------------------------------------------


class _Picker:
    """Weighted random choices from the codes present in the database."""

    def __init__(
        self, rng: random.Random, items: Sequence[Any], weights: Sequence[float]
    ):
        self.rng, self.items = rng, list(items)
        self.cumulative = _cumulative(weights)

    def one(self) -> Any:
        return self.rng.choices(self.items, cum_weights=self.cumulative)[0]

    def distinct(self, count: int) -> list[Any]:
        chosen: list[Any] = []
        while len(chosen) < min(count, len(self.items)):
            item = self.one()
            if item not in chosen:
                chosen.append(item)
        return chosen


def _cumulative(weights: Sequence[float]) -> list[float]:
    total, cumulative = 0.0, []
    for weight in weights:
        total += weight
        cumulative.append(total)
    return cumulative


def _zipf(count: int, exponent: float = 1.1) -> list[float]:
    return [1 / (rank + 1) ** exponent for rank in range(count)]


def _batches(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch


def _insert(model: type[Model], rows: Iterable[Model], batch_size: int) -> int:
    count = 0
    for batch in _batches(rows, batch_size):
        model._default_manager.bulk_create(batch)
        count += len(batch)
    return count


def _days_ago(rng: random.Random, low: int, high: int) -> datetime.datetime:
    return REFERENCE_DAY - datetime.timedelta(
        days=rng.randint(low, high), seconds=rng.randint(0, 86_399)
    )


@dataclass
class _Vocabularies:
    concepts: dict[str, dict[str, int]]  # scheme -> code -> id
    subdomains: dict[str, list[str]]  # scientific area -> its subdomain codes

    def pick(self, rng: random.Random, scheme: str, weights: dict) -> _Picker:
        codes = list(self.concepts[scheme])
        return _Picker(rng, codes, [weights.get(code, 1) for code in codes])

    def id(self, scheme: str, code: str) -> int:
        return self.concepts[scheme][code]


def _vocabularies() -> _Vocabularies:
    concepts: dict[str, dict[str, int]] = {}
    subdomains: dict[str, list[str]] = {}
    for pk, scheme, code, parent in Concept.objects.order_by(
        "scheme", "order", "code"
    ).values_list("pk", "scheme", "code", "parent__code"):
        concepts.setdefault(scheme, {})[code] = pk
        if scheme == Concept.Scheme.SCIENTIFIC_DOMAIN and parent:
            subdomains.setdefault(parent, []).append(code)
    return _Vocabularies(concepts=concepts, subdomains=subdomains)


def generate_catalogue(
    *,
    size: DatasetSize,
    batch_size: int = 2_000,
    log: Callable[[str], None] = lambda message: None,
) -> dict[str, int]:
    """Fill the current database with a synthetic catalogue; return the row counts.

    Expects the reference data (regions and vocabularies) and no catalogue yet.
    """
    rng = random.Random(size.seed)
    terms = _vocabularies()
    regions = list(Region.objects.filter(level=2).order_by("code"))
    children: dict[str, list[Region]] = {}
    for child in Region.objects.filter(level=3).order_by("code"):
        children.setdefault(child.parent_id or "", []).append(child)
    # Some regions are research hubs: they get more hosts and infrastructures.
    region_weight = _Picker(rng, regions, [rng.lognormvariate(0, 0.9) for _ in regions])

    hosts = _organisations(rng, size, regions, region_weight, batch_size)
    organisations = sum(len(pks) for pks in hosts.values())
    log(f"  {organisations} organisations")
    priorities = _ris3_priorities(rng, regions, terms, batch_size)
    riis = _infrastructures(
        rng,
        size,
        regions,
        region_weight,
        children,
        hosts,
        priorities,
        terms,
        batch_size,
    )
    log(f"  {len(riis)} infrastructures")
    services = _services(rng, size, riis, terms, batch_size)
    log(f"  {services} services")
    equipment = _equipment(rng, size, riis, terms, batch_size)
    log(f"  {equipment} equipment items")
    with connection.cursor() as cursor:
        # auto_now overwrote updated_at on insert; spread it over three years.
        cursor.execute(
            "UPDATE catalogue_infrastructure SET updated_at = "
            "%s - ((id * 7919) %% 94608000) * interval '1 second'",
            [REFERENCE_DAY],
        )
    return {
        "organisations": organisations,
        "ris3_priorities": sum(len(p) for p in priorities.values()),
        "infrastructures": len(riis),
        "services": services,
        "equipment": equipment,
    }


def _organisations(
    rng: random.Random,
    size: DatasetSize,
    regions: list[Region],
    region_weight: _Picker,
    batch_size: int,
) -> dict[str, list[int]]:
    # Every region has at least one host, so that every region has infrastructures.
    placed = regions + [region_weight.one() for _ in range(size.organisations)]
    placed = placed[: max(size.organisations, len(regions))]
    organisations = []
    for n, region in enumerate(placed, start=1):
        pattern, kind = rng.choice(ORGANISATION_PATTERNS)
        name = pattern.format(region.display_name)
        if n > len(regions):
            name = f"{name} {rng.choice(FIELDS)}"
        organisations.append(
            Organisation(
                name=name[:200],
                slug=f"{slugify(name)[:180]}-{n}",
                kind=kind,
                size_class=rng.choice(["micro", "small", "medium", "large"])
                if kind == OrganisationKind.COMPANY
                else "",
                country_id=region.code[:2],
                region_id=region.code,
                website=f"https://org{n}.example.eu" if rng.random() < 0.7 else "",
            )
        )
    hosts: dict[str, list[int]] = {}
    for batch in _batches(organisations, batch_size):
        for organisation in Organisation.objects.bulk_create(batch):
            hosts.setdefault(organisation.region_id or "", []).append(organisation.pk)
    return hosts


def _ris3_priorities(
    rng: random.Random, regions: list[Region], terms: _Vocabularies, batch_size: int
) -> dict[str, list[int]]:
    objects = [
        RIS3Priority(region=region, name=theme, order=order, description="")
        for region in regions
        for order, theme in enumerate(rng.sample(RIS3_THEMES, 3), start=1)
    ]
    created = RIS3Priority.objects.bulk_create(objects, batch_size=batch_size)
    nabs, nace = list(terms.concepts["nabs"]), list(terms.concepts["nace"])
    nabs_rows, nace_rows = [], []
    priorities: dict[str, list[int]] = {}
    for priority in created:
        priorities.setdefault(priority.region_id, []).append(priority.pk)
        for code in rng.sample(nabs, rng.randint(1, 2)):
            nabs_rows.append(
                RIS3Priority.nabs_chapters.through(
                    ris3priority_id=priority.pk, concept_id=terms.id("nabs", code)
                )
            )
        for code in rng.sample(nace, rng.randint(1, 2)):
            nace_rows.append(
                RIS3Priority.nace_sections.through(
                    ris3priority_id=priority.pk, concept_id=terms.id("nace", code)
                )
            )
    _insert(RIS3Priority.nabs_chapters.through, nabs_rows, batch_size)
    _insert(RIS3Priority.nace_sections.through, nace_rows, batch_size)
    return priorities


@dataclass
class _GeneratedInfrastructure:
    pk: int
    topic: str
    kets: list[str]
    languages: list[str]
    weight: float


def _infrastructures(
    rng: random.Random,
    size: DatasetSize,
    regions: list[Region],
    region_weight: _Picker,
    children: dict[str, list[Region]],
    hosts: dict[str, list[int]],
    priorities: dict[str, list[int]],
    terms: _Vocabularies,
    batch_size: int,
) -> list[_GeneratedInfrastructure]:
    fields = _Picker(rng, FIELDS, _zipf(len(FIELDS)))
    kinds = _Picker(rng, list(KINDS), list(KINDS.values()))
    kets = terms.pick(rng, "ket", KET_WEIGHTS)
    types = terms.pick(rng, "rii_type", TYPE_WEIGHTS)
    areas = _Picker(rng, list(terms.subdomains), _zipf(len(terms.subdomains), 0.8))
    statuses = _Picker(rng, list(STATUS_WEIGHTS), list(STATUS_WEIGHTS.values()))
    structures = list(terms.concepts["structure"].values())
    all_languages = list(terms.concepts["language"])

    objects, extras = [], []
    for n in range(1, size.infrastructures + 1):
        region2 = regions[n - 1] if n <= len(regions) else region_weight.one()
        region = rng.choice(children.get(region2.code) or [region2])
        topic, kind = fields.one(), kinds.one()
        name = f"{topic} {kind}"
        if rng.random() < 0.5:
            name = f"{rng.choice(QUALIFIERS)} {name}"
        city = region.display_name.split("/")[0].split(",")[0].strip()[:120]
        if rng.random() < 0.3:
            name = f"{name} {city}"
        status = statuses.one()
        published_at = _days_ago(rng, 30, 2500)
        rii_kets = kets.distinct(rng.choices([1, 2, 3], [50, 35, 15])[0])
        national = COUNTRY_LANGUAGES.get(region.code[:2], ["en"])
        languages = [national[0]]
        if rng.random() < 0.75:
            languages.append("en")
        if rng.random() < 0.15:
            languages.append(rng.choice(all_languages))
        languages = [code for code in dict.fromkeys(languages) if code in all_languages]
        description = _description(rng, name, kind, topic, city)
        objects.append(
            Infrastructure(
                name=name,
                slug=f"{slugify(name)[:180]}-{n}",
                acronym="".join(word[0] for word in name.split()[:5]).upper()
                if rng.random() < 0.6
                else "",
                host_id=rng.choice(hosts.get(region2.code) or hosts[regions[0].code]),
                region_id=region.code,
                city=city or region.code,
                website=f"https://rii{n}.example.eu" if rng.random() < 0.8 else "",
                summary=f"{kind} for {topic.lower()} {rng.choice(SENTENCES).lower()}"[
                    :300
                ],
                description=description,
                structure_id=rng.choice(structures) if rng.random() < 0.8 else None,
                access_policy="Access on request; see the conditions of each service.",
                sme_offer="Discounted rates and a free first consultation for SMEs."
                if rng.random() < 0.6
                else "",
                contact_email=f"access@rii{n}.example.eu",
                status=status,
                published_at=published_at
                if status == Infrastructure.Status.PUBLISHED
                else None,
                verified_at=_days_ago(rng, 0, 900) if rng.random() < 0.7 else None,
            )
        )
        own_priorities = priorities.get(region2.code, [])
        extras.append(
            {
                "field": topic,
                "kets": rii_kets,
                "types": types.distinct(rng.choices([1, 2], [70, 30])[0]),
                "domains": _domains(rng, areas, terms),
                "languages": languages,
                "priorities": rng.sample(
                    own_priorities, min(len(own_priorities), rng.choice([0, 1, 1, 2]))
                ),
            }
        )

    created: list[Infrastructure] = []
    for batch in _batches(objects, batch_size):
        created.extend(Infrastructure.objects.bulk_create(batch))
    through = Infrastructure.kets.through, Infrastructure.types.through
    ket_rows, type_rows, domain_rows, language_rows, priority_rows = [], [], [], [], []
    riis = []
    for rii, extra in zip(created, extras, strict=True):
        ket_rows += [
            through[0](infrastructure_id=rii.pk, concept_id=terms.id("ket", code))
            for code in extra["kets"]
        ]
        type_rows += [
            through[1](infrastructure_id=rii.pk, concept_id=terms.id("rii_type", code))
            for code in extra["types"]
        ]
        domain_rows += [
            Infrastructure.scientific_domains.through(
                infrastructure_id=rii.pk,
                concept_id=terms.id("scientific_domain", code),
            )
            for code in extra["domains"]
        ]
        language_rows += [
            Infrastructure.languages.through(
                infrastructure_id=rii.pk, concept_id=terms.id("language", code)
            )
            for code in extra["languages"]
        ]
        priority_rows += [
            Infrastructure.ris3_priorities.through(
                infrastructure_id=rii.pk, ris3priority_id=pk
            )
            for pk in extra["priorities"]
        ]
        riis.append(
            _GeneratedInfrastructure(
                pk=rii.pk,
                topic=extra["field"],
                kets=extra["kets"],
                languages=extra["languages"],
                weight=rng.lognormvariate(0, 0.7),
            )
        )
    tagged: list[tuple[type[Model], Iterable[Model]]] = [
        (Infrastructure.kets.through, ket_rows),
        (Infrastructure.types.through, type_rows),
        (Infrastructure.scientific_domains.through, domain_rows),
        (Infrastructure.languages.through, language_rows),
        (Infrastructure.ris3_priorities.through, priority_rows),
    ]
    for model, rows in tagged:
        _insert(model, rows, batch_size * 5)
    return riis


def _domains(rng: random.Random, areas: _Picker, terms: _Vocabularies) -> list[str]:
    chosen: list[str] = []
    for _ in range(rng.choices([1, 2, 3], [50, 35, 15])[0]):
        code = rng.choice(terms.subdomains[areas.one()])
        if code not in chosen:
            chosen.append(code)
    return chosen


def _description(
    rng: random.Random, name: str, kind: str, topic: str, city: str
) -> str:
    categories = rng.sample(list(EQUIPMENT), 2)
    techniques = [rng.choice(EQUIPMENT[c][0])[1] for c in categories]
    parts = [
        f"{name} is a {kind.lower()} in {city} for {topic.lower()} research and "
        f"innovation, with {techniques[0]} and {techniques[1]}.",
        *rng.sample(SENTENCES, 3),
    ]
    if rng.random() < 0.01:
        parts.append(f"It is one of few places offering {rng.choice(RARE_WORDS)}.")
    return " ".join(parts)


def _spread(
    rng: random.Random, total: int, riis: list[_GeneratedInfrastructure]
) -> list[_GeneratedInfrastructure]:
    """``total`` picks of infrastructures, larger ones more often, grouped by RII."""
    picker = _Picker(rng, range(len(riis)), [rii.weight for rii in riis])
    return [riis[i] for i in sorted(picker.one() for _ in range(total))]


def _services(
    rng: random.Random,
    size: DatasetSize,
    riis: list[_GeneratedInfrastructure],
    terms: _Vocabularies,
    batch_size: int,
) -> int:
    service_types = terms.pick(rng, "service_type", SERVICE_TYPE_WEIGHTS)
    access_modes = terms.pick(rng, "access_mode", ACCESS_WEIGHTS)
    prices = _Picker(rng, list(PRICE_WEIGHTS), list(PRICE_WEIGHTS.values()))
    count, order = 0, 0
    previous: int | None = None
    for owners in _batches(_spread(rng, size.services, riis), batch_size):
        services, tags = [], []
        for rii in owners:
            order = order + 1 if rii.pk == previous else 1
            previous = rii.pk
            service_type = service_types.one()
            activity = rng.choice(SERVICE_ACTIVITIES.get(service_type, ["Service"]))
            name = f"{activity} for {rii.topic.lower()}"
            trl_from = rng.choices(range(1, 9), [2, 4, 8, 10, 10, 8, 5, 3])[0]
            category = rng.choice(list(EQUIPMENT))
            technique = rng.choice(EQUIPMENT[category][0])[1]
            services.append(
                Service(
                    infrastructure_id=rii.pk,
                    name=name,
                    slug=f"{slugify(name)[:180]}-{order}",
                    description=f"{activity} using {technique}. "
                    f"{rng.choice(SENTENCES)}",
                    service_type_id=terms.id("service_type", service_type),
                    trl_from=trl_from,
                    trl_to=min(9, trl_from + rng.randint(0, 3)),
                    access_mode_id=terms.id("access_mode", access_modes.one()),
                    price_band=prices.one(),
                    sme_rate_available=rng.random() < 0.6,
                    lead_time_days=rng.randint(3, 90) if rng.random() < 0.8 else None,
                    ip_default=rng.choice(IPDefault.values),
                    nda_available=rng.random() < 0.8,
                    order=order,
                )
            )
            n = len(rii.languages)
            tags.append(
                (
                    rng.sample(rii.kets, 1) if rng.random() < 0.3 else [],
                    rng.sample(rii.languages, rng.randint(min(1, n), n)),
                )
            )
        created = Service.objects.bulk_create(services)
        ket_rows, language_rows = [], []
        for service, (kets, languages) in zip(created, tags, strict=True):
            ket_rows += [
                Service.kets.through(
                    service_id=service.pk, concept_id=terms.id("ket", code)
                )
                for code in kets
            ]
            language_rows += [
                Service.languages.through(
                    service_id=service.pk, concept_id=terms.id("language", code)
                )
                for code in languages
            ]
        Service.kets.through.objects.bulk_create(ket_rows)
        Service.languages.through.objects.bulk_create(language_rows)
        count += len(created)
    return count


def _equipment(
    rng: random.Random,
    size: DatasetSize,
    riis: list[_GeneratedInfrastructure],
    terms: _Vocabularies,
    batch_size: int,
) -> int:
    categories = terms.pick(rng, "equipment_category", EQUIPMENT_WEIGHTS)
    order, previous = 0, None

    def items() -> Iterator[Equipment]:
        nonlocal order, previous
        for rii in _spread(rng, size.equipment, riis):
            order = order + 1 if rii.pk == previous else 1
            previous = rii.pk
            category = categories.one()
            kinds, manufacturers = EQUIPMENT.get(category, ([(category, "")], ["-"]))
            name, technique = rng.choice(kinds)
            manufacturer = rng.choice(manufacturers)
            yield Equipment(
                infrastructure_id=rii.pk,
                name=name,
                slug=f"{slugify(name)[:180]}-{order}",
                description=f"{name} for {technique} in {rii.topic.lower()} "
                f"research and testing.",
                category_id=terms.id("equipment_category", category),
                technique=technique,
                manufacturer=manufacturer,
                model=f"{manufacturer[:3].upper()}-{rng.randint(100, 9999)}",
                year_commissioned=rng.randint(1995, 2025),
                quantity=rng.choices([1, 2, 3], [85, 10, 5])[0],
                training_required=rng.random() < 0.7,
                access=rng.choice(Equipment.Access.values),
                order=order,
            )

    return _insert(Equipment, items(), batch_size)
