"""The search benchmark: a synthetic EU-scale catalogue and page timings over it.

``generate_catalogue`` fills the current database with a reproducible catalogue
(fixed seed, every NUTS-2 region, skewed tag distributions, texts from word lists with
very common and very rare words). ``measure_page`` times one search URL through
Django's test client and replays the same SQL statements on a plain psycopg
connection, so the page time can be compared with the time spent in PostgreSQL.
``manage.py bench_search`` runs both on a database of its own.
"""

import datetime
import hashlib
import json
import math
import random
import statistics
import time
import warnings
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from itertools import islice
from typing import Any

import psycopg
from django.conf import settings
from django.db import connection
from django.db.models import Model
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings
from django.urls import reverse
from django.utils.text import slugify

from accounts.models import Organisation, OrganisationKind
from catalogue.models import (
    Concept,
    Equipment,
    Infrastructure,
    IPDefault,
    PriceBand,
    Region,
    RIS3Priority,
    Service,
)

# Bump when the generator changes, so that an existing benchmark database is rebuilt.
GENERATOR_VERSION = 1
SEED = 20260101
# Dates are relative to a fixed day so that the dataset does not depend on the clock.
REFERENCE_DAY = datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)

MAX_QUERIES = 6
MAX_MEDIAN_RATIO = 3.0
MAX_MEDIAN_MS = 150.0


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


# --- Word lists -----------------------------------------------------------------

# Ordered from common to rare: picked with Zipf weights.
FIELDS = [
    "Materials", "Manufacturing", "Biotechnology", "Energy", "Photonics",
    "Nanotechnology", "Robotics", "Microelectronics", "Food", "Health", "Chemistry",
    "Polymer", "Water", "Agriculture", "Automotive", "Aerospace", "Imaging",
    "Microscopy", "Battery", "Hydrogen", "Textile", "Genomics", "Metrology",
    "Semiconductor", "Composites", "Data", "Cybersecurity", "Maritime", "Space",
    "Sensor", "Proteomics", "Ceramics", "Photovoltaics", "Wind", "Forestry", "Glass",
    "Acoustics", "Drone", "Quantum", "Laser", "Plasma", "Ultrasound", "Geothermal",
    "Vaccine", "Tribology", "Corrosion", "Organoid", "Neutron", "Cryogenics",
    "Graphene", "Perovskite", "Spintronics", "Metamaterials", "Exoskeleton",
    "Terahertz", "Magnetocaloric",
]  # fmt: skip
QUALIFIERS = [
    "Advanced", "Applied", "Digital", "Industrial", "Regional", "National", "Open",
    "Integrated", "Smart", "Sustainable", "Clinical", "Green", "European", "Joint",
]  # fmt: skip
KINDS = {
    "Laboratory": 30, "Testing Laboratory": 12, "Centre": 12, "Facility": 10,
    "Platform": 8, "Pilot Line": 5, "Test Bed": 5, "Hub": 5, "Core Facility": 5,
    "Innovation Centre": 5, "Living Lab": 3,
}  # fmt: skip
# Each appears in a handful of descriptions only.
RARE_WORDS = [
    "ptychography", "muonium", "holotomography", "electroporation", "magnetoencephalography",
    "pyrolysis", "cryoprotectant", "rheometry", "dendrochronology", "ellipsometry",
]  # fmt: skip
SENTENCES = [
    "Our testing laboratory works with industry and SMEs on quality and innovation.",
    "The laboratory offers testing, analysis and characterisation for companies.",
    "Researchers and companies use the facility for applied research and validation.",
    "Accredited testing according to international standards is available.",
    "The team supports product development from proof of concept to pilot scale.",
    "Access is open to academic and industrial users after a short feasibility check.",
    "We collaborate with universities, research centres and technology transfer offices.",
    "Training is offered to new users before they operate the instruments themselves.",
    "The infrastructure is part of a European network of open access facilities.",
    "Measurement data are delivered with a report and can be stored in our repository.",
]  # fmt: skip
ORGANISATION_PATTERNS = [
    ("University of {}", OrganisationKind.UNIVERSITY),
    ("Technical University of {}", OrganisationKind.UNIVERSITY),
    ("{} Institute of Technology", OrganisationKind.RTO),
    ("{} Research Centre", OrganisationKind.RTO),
    ("{} Innovation Agency", OrganisationKind.PUBLIC_BODY),
    ("{} Instruments", OrganisationKind.COMPANY),
]
SERVICE_ACTIVITIES = {
    "testing": [
        "Materials testing", "Mechanical testing", "Fatigue testing",
        "Non-destructive testing", "EMC testing", "Environmental testing",
        "Battery testing", "Food safety testing", "Certification testing",
    ],
    "prototyping": ["Rapid prototyping", "Prototype manufacturing", "PCB prototyping"],
    "pilot_production": ["Pilot-scale production", "Process scale-up", "Small series"],
    "training": ["Training course", "Hands-on workshop", "Operator training"],
    "consultancy": ["Technical consultancy", "Feasibility study", "Technology audit"],
    "contract_research": ["Contract research", "Analytical services", "Characterisation"],
    "co_development": ["Joint development", "Collaborative R&D"],
    "equipment_rental": ["Instrument time", "Equipment rental", "Cleanroom access"],
    "computing_data": ["Data analysis", "HPC access", "Simulation and modelling"],
}  # fmt: skip
# (name, technique) pairs and manufacturers of each equipment category.
EQUIPMENT = {
    "electron_microscopy": (
        [("Scanning electron microscope", "SEM imaging and EDX microanalysis"),
         ("Transmission electron microscope", "TEM and electron diffraction"),
         ("Focused ion beam microscope", "FIB-SEM tomography"),
         ("Cryo-electron microscope", "single-particle cryo-electron microscopy")],
        ["Zeiss", "Thermo Fisher Scientific", "JEOL", "Hitachi", "Tescan"],
    ),
    "optical_microscopy": (
        [("Confocal laser scanning microscope", "confocal fluorescence microscopy"),
         ("Light-sheet microscope", "light-sheet fluorescence microscopy"),
         ("Super-resolution microscope", "STED and STORM microscopy"),
         ("Digital optical microscope", "brightfield and darkfield microscopy")],
        ["Zeiss", "Leica", "Nikon", "Olympus", "Keyence"],
    ),
    "scanning_probe": (
        [("Atomic force microscope", "AFM topography"),
         ("Scanning tunnelling microscope", "STM spectroscopy")],
        ["Bruker", "Park Systems", "Oxford Instruments"],
    ),
    "xray": (
        [("X-ray diffractometer", "powder X-ray diffraction"),
         ("Micro-CT scanner", "X-ray computed tomography"),
         ("X-ray photoelectron spectrometer", "XPS surface analysis")],
        ["Bruker", "Rigaku", "Malvern Panalytical"],
    ),
    "spectroscopy": (
        [("FTIR spectrometer", "infrared spectroscopy"),
         ("Raman spectrometer", "Raman spectroscopy"),
         ("UV-Vis spectrophotometer", "absorption spectroscopy"),
         ("ICP optical emission spectrometer", "elemental analysis")],
        ["Agilent", "Horiba", "PerkinElmer", "Renishaw", "Shimadzu"],
    ),
    "mass_spectrometry": (
        [("LC-MS/MS system", "liquid chromatography mass spectrometry"),
         ("MALDI-TOF mass spectrometer", "MALDI imaging"),
         ("GC-MS system", "gas chromatography mass spectrometry"),
         ("Orbitrap mass spectrometer", "high-resolution proteomics")],
        ["Thermo Fisher Scientific", "Waters", "Sciex", "Agilent", "Bruker"],
    ),
    "nmr_mri": (
        [("NMR spectrometer", "solution and solid-state NMR"),
         ("Preclinical MRI scanner", "magnetic resonance imaging")],
        ["Bruker", "Siemens Healthineers", "Oxford Instruments"],
    ),
    "lithography": (
        [("Electron beam lithography system", "e-beam lithography"),
         ("Mask aligner", "UV photolithography"),
         ("Nanoimprint lithography tool", "nanoimprint lithography")],
        ["Raith", "SUSS MicroTec", "EV Group", "Heidelberg Instruments"],
    ),
    "deposition_etching": (
        [("Atomic layer deposition reactor", "ALD thin films"),
         ("Sputter coater", "PVD sputtering"),
         ("Reactive ion etcher", "plasma etching"),
         ("PECVD system", "chemical vapour deposition")],
        ["Oxford Instruments", "Beneq", "Applied Materials", "Plasma-Therm"],
    ),
    "cleanroom": (
        [("ISO 5 cleanroom", "cleanroom microfabrication"),
         ("Wet bench", "wafer cleaning")],
        ["Exyte", "Kinetics", "Clean Air Products"],
    ),
    "thermal_analysis": (
        [("Differential scanning calorimeter", "calorimetry"),
         ("Thermogravimetric analyser", "thermogravimetry"),
         ("Dilatometer", "thermal expansion measurement")],
        ["Netzsch", "TA Instruments", "Mettler Toledo", "Linseis"],
    ),
    "mechanical_testing": (
        [("Universal testing machine", "tensile and compression testing"),
         ("Fatigue testing machine", "fatigue testing"),
         ("Impact tester", "Charpy impact testing"),
         ("Nanoindenter", "nanoindentation hardness testing")],
        ["Zwick Roell", "Instron", "MTS Systems", "Shimadzu"],
    ),
    "additive_manufacturing": (
        [("Metal 3D printer", "laser powder bed fusion"),
         ("Polymer 3D printer", "fused filament fabrication"),
         ("Stereolithography printer", "resin printing"),
         ("Directed energy deposition cell", "wire arc additive manufacturing")],
        ["EOS", "Nikon SLM Solutions", "Stratasys", "Formlabs", "Trumpf"],
    ),
    "machining_forming": (
        [("5-axis CNC machining centre", "CNC milling"),
         ("Press brake", "sheet metal forming"),
         ("Injection moulding machine", "polymer injection moulding")],
        ["DMG Mori", "Haas", "Arburg", "Engel", "Trumpf"],
    ),
    "robotics_automation": (
        [("Collaborative robot arm", "human-robot collaboration"),
         ("Autonomous mobile robot", "intralogistics automation"),
         ("Industrial robot cell", "robotic welding")],
        ["KUKA", "ABB", "Universal Robots", "Fanuc", "Comau"],
    ),
    "electronics_test": (
        [("EMC test chamber", "electromagnetic compatibility testing"),
         ("Vector network analyser", "RF characterisation"),
         ("Wafer probe station", "semiconductor device testing"),
         ("Oscilloscope", "signal integrity analysis")],
        ["Rohde & Schwarz", "Keysight", "Tektronix", "FormFactor"],
    ),
    "lasers_photonics": (
        [("Femtosecond laser system", "ultrafast laser processing"),
         ("Optical spectrum analyser", "photonic characterisation"),
         ("Fibre drawing tower", "optical fibre fabrication")],
        ["Coherent", "Trumpf", "Light Conversion", "Thorlabs"],
    ),
    "sequencing_omics": (
        [("Next-generation sequencer", "DNA sequencing"),
         ("Single-cell sequencing platform", "single-cell RNA sequencing"),
         ("Long-read sequencer", "nanopore sequencing")],
        ["Illumina", "Oxford Nanopore", "PacBio", "10x Genomics"],
    ),
    "cell_culture_bioprocess": (
        [("Bioreactor", "fermentation and bioprocessing"),
         ("Biosafety cabinet", "cell culture"),
         ("Flow cytometer", "cell sorting")],
        ["Sartorius", "Eppendorf", "Thermo Fisher Scientific", "BD Biosciences"],
    ),
    "preclinical_imaging": (
        [("PET/CT scanner", "preclinical molecular imaging"),
         ("In vivo optical imager", "bioluminescence imaging"),
         ("Ultrasound imaging system", "high-frequency ultrasound")],
        ["Bruker", "Mediso", "PerkinElmer", "Fujifilm VisualSonics"],
    ),
    "computing_storage": (
        [("HPC cluster", "high-performance computing"),
         ("GPU server", "deep learning"),
         ("Research data storage", "research data management")],
        ["HPE", "Lenovo", "Dell Technologies", "NVIDIA", "Eviden"],
    ),
    "environmental_sensing": (
        [("Weather station", "meteorological monitoring"),
         ("Air quality monitor", "atmospheric measurement"),
         ("Water quality sonde", "limnology")],
        ["Vaisala", "Campbell Scientific", "YSI", "Picarro"],
    ),
    "energy_systems": (
        [("Battery cycler", "battery testing"),
         ("Electrolyser test bench", "hydrogen production"),
         ("Solar simulator", "photovoltaic testing"),
         ("Smart grid laboratory", "power hardware-in-the-loop")],
        ["Arbin", "BioLogic", "Siemens", "OPAL-RT"],
    ),
    "vehicles_mobility": (
        [("Chassis dynamometer", "vehicle testing"),
         ("Driving simulator", "human factors research"),
         ("Wind tunnel", "aerodynamic testing")],
        ["AVL", "HORIBA MIRA", "dSPACE", "Vector Informatik"],
    ),
    "vr_ar": (
        [("CAVE virtual reality system", "immersive visualisation"),
         ("Motion capture system", "motion tracking")],
        ["Vicon", "Barco", "HTC", "Varjo"],
    ),
    "radio_astronomy": (
        [("Radio telescope", "radio interferometry"),
         ("Cryogenic receiver", "low-noise amplification")],
        ["ASTRON", "Callisto", "Kratos"],
    ),
    "accelerator_beamline": (
        [("Ion implanter", "ion beam analysis"),
         ("Linear accelerator", "electron irradiation"),
         ("Synchrotron beamline endstation", "X-ray absorption spectroscopy")],
        ["Varian", "IBA", "High Voltage Engineering", "Danfysik"],
    ),
    "other": (
        [("Climate chamber", "environmental testing"),
         ("Salt spray chamber", "corrosion testing"),
         ("Glovebox", "inert atmosphere handling")],
        ["Binder", "Weiss Technik", "MBraun", "Memmert"],
    ),
}  # fmt: skip
EQUIPMENT_WEIGHTS = {
    "electron_microscopy": 6, "optical_microscopy": 6, "spectroscopy": 6,
    "mechanical_testing": 6, "mass_spectrometry": 4, "xray": 4,
    "additive_manufacturing": 4, "electronics_test": 4, "computing_storage": 3,
    "thermal_analysis": 3, "cell_culture_bioprocess": 3, "machining_forming": 3,
    "robotics_automation": 3, "energy_systems": 3, "deposition_etching": 2,
    "other": 2,
}  # fmt: skip
KET_WEIGHTS = {
    "AM": 22, "AMN": 20, "LST": 18, "MNEP": 12, "AI": 10, "SEC": 6,
    "NANO": 3, "MNE": 2.5, "PHOT": 2.5, "AMAT": 2, "IBIO": 2, "AMT": 2,
}  # fmt: skip
TYPE_WEIGHTS = {
    "core_facility": 20, "technology_centre": 18, "test_bed": 14, "pilot_line": 12,
    "large_equipment": 10, "living_lab": 6, "e_infrastructure": 5,
    "biobank_collection": 3, "observatory": 2,
}  # fmt: skip
SERVICE_TYPE_WEIGHTS = {
    "testing": 25, "contract_research": 15, "consultancy": 12, "prototyping": 10,
    "training": 10, "equipment_rental": 10, "co_development": 7,
    "pilot_production": 6, "computing_data": 5,
}  # fmt: skip
ACCESS_WEIGHTS = {
    "staff_operated": 50,
    "collaboration": 25,
    "self_service": 15,
    "remote": 10,
}
PRICE_WEIGHTS = {
    PriceBand.ON_REQUEST: 35, PriceBand.UNDER_1K: 20, PriceBand.FROM_1K_TO_5K: 25,
    PriceBand.FROM_5K_TO_20K: 13, PriceBand.OVER_20K: 7,
}  # fmt: skip
COUNTRY_LANGUAGES = {
    "AT": ["de"], "BE": ["nl", "fr", "de"], "BG": ["bg"], "CY": ["el"], "CZ": ["cs"],
    "DE": ["de"], "DK": ["da"], "EE": ["et"], "EL": ["el"], "ES": ["es"],
    "FI": ["fi", "sv"], "FR": ["fr"], "HR": ["hr"], "HU": ["hu"], "IE": ["en", "ga"],
    "IT": ["it"], "LT": ["lt"], "LU": ["fr", "de"], "LV": ["lv"], "MT": ["mt", "en"],
    "NL": ["nl"], "PL": ["pl"], "PT": ["pt"], "RO": ["ro"], "SE": ["sv"],
    "SI": ["sl"], "SK": ["sk"],
}  # fmt: skip
RIS3_THEMES = [
    "Advanced manufacturing", "Health and life sciences", "Agrifood",
    "Energy transition", "Digital transformation", "Sustainable mobility",
    "Creative industries", "Blue growth", "Circular economy", "Space and security",
]  # fmt: skip

STATUS_WEIGHTS = {
    Infrastructure.Status.PUBLISHED: 95,
    Infrastructure.Status.DRAFT: 2,
    Infrastructure.Status.PENDING: 2,
    Infrastructure.Status.ARCHIVED: 1,
}


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
    for model, rows in [
        (Infrastructure.kets.through, ket_rows),
        (Infrastructure.types.through, type_rows),
        (Infrastructure.scientific_domains.through, domain_rows),
        (Infrastructure.languages.through, language_rows),
        (Infrastructure.ris3_priorities.through, priority_rows),
    ]:
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


# --- Measurement ------------------------------------------------------------------


@dataclass(frozen=True)
class BenchUrl:
    label: str
    query: str
    htmx: bool = False


BENCH_URLS = [
    BenchUrl("all, sorted by name", ""),
    BenchUrl("text, very common", "q=laboratory"),
    BenchUrl("text, very common 2", "q=testing"),
    BenchUrl("text, rare", "q=ptychography"),
    BenchUrl("text, two words", "q=electron+microscopy"),
    BenchUrl("text, prefix", "q=spectro"),
    BenchUrl("text, typo", "q=mikroscopy"),
    BenchUrl("text, no match", "q=zzyzxqv"),
    BenchUrl("filters: KET + type", "ket=AM&type=core_facility"),
    BenchUrl("filters: service type + access", "service_type=testing&access=remote"),
    BenchUrl(
        "text + 3 filters",
        "q=testing&country=DE&service_type=testing&sme_rate=on",
    ),
    BenchUrl("deep page by name", "sort=name&page=200"),
    BenchUrl("sort by updated", "sort=updated"),
    BenchUrl("region NUTS-1", "region=ITH"),
    BenchUrl("region NUTS-2", "region=DE21"),
    BenchUrl("partner regions", "partner=on"),
    BenchUrl("two countries", "country=IT&country=FR"),
    BenchUrl("KET 2012 code", "ket=NANO"),
    BenchUrl("TRL range", "trl_min=4&trl_max=6"),
    BenchUrl("price + SME rate", "price=under_1k&price=1k_5k&sme_rate=on"),
    BenchUrl("language", "language=de"),
    BenchUrl("scientific domain", "domain=engineering_and_energy"),
    BenchUrl("NACE section", "nace=C"),
    BenchUrl("equipment + text", "equipment=electron_microscopy&q=microscope"),
    BenchUrl(
        "everything",
        "q=laser&ket=PHOT&region=DE1&trl_min=3&sme_rate=on&sort=updated",
    ),
    BenchUrl("htmx: text + KET", "q=laboratory&ket=AM", htmx=True),
]


@dataclass
class PageTiming:
    label: str
    url: str
    queries: int
    median_ms: float
    p95_ms: float
    sql_median_ms: float
    slowest_sql: str = field(default="", repr=False)
    slowest_sql_params: Any = field(default=None, repr=False)
    slowest_sql_ms: float = 0.0

    @property
    def ratio(self) -> float:
        return self.median_ms / self.sql_median_ms if self.sql_median_ms else math.inf

    def as_json(self) -> dict[str, Any]:
        return {
            "label": self.label,
            "url": self.url,
            "queries": self.queries,
            "median_ms": round(self.median_ms, 2),
            "p95_ms": round(self.p95_ms, 2),
            "sql_median_ms": round(self.sql_median_ms, 2),
            "ratio": round(self.ratio, 2),
        }


class BenchError(Exception):
    pass


Statement = tuple[str, Any, bool]  # sql, params, executemany


def _percentile(values: Sequence[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]


def measure_page(
    client: Client,
    url: str,
    *,
    label: str = "",
    htmx: bool = False,
    runs: int = 20,
    replay: psycopg.Connection,
) -> PageTiming:
    """Time ``url`` through ``client`` and its SQL statements on ``replay``.

    One warm-up request, one request capturing the statements, then ``runs`` timed
    requests and ``runs`` timed replays of the captured statements.
    """
    headers = {"HX-Request": "true"} if htmx else {}

    def get() -> None:
        response = client.get(url, headers=headers)
        if response.status_code != 200:
            raise BenchError(f"{url} answered {response.status_code}")

    get()
    statements: list[Statement] = []

    def capture(execute, sql, params, many, context):
        statements.append((sql, params, many))
        return execute(sql, params, many, context)

    with (
        CaptureQueriesContext(connection) as captured,
        connection.execute_wrapper(capture),
    ):
        get()
    # Read now: the next request empties the connection's query log.
    queries = len(captured.captured_queries)
    page_times = []
    for _ in range(runs):
        started = time.perf_counter()
        get()
        page_times.append((time.perf_counter() - started) * 1000)
    sql_times, per_statement = replay_statements(replay, statements, runs=runs)
    slowest = max(range(len(statements)), key=per_statement.__getitem__, default=None)
    return PageTiming(
        label=label,
        url=url,
        queries=queries,
        median_ms=statistics.median(page_times),
        p95_ms=_percentile(page_times, 0.95),
        sql_median_ms=statistics.median(sql_times),
        slowest_sql=statements[slowest][0] if slowest is not None else "",
        slowest_sql_params=statements[slowest][1] if slowest is not None else None,
        slowest_sql_ms=per_statement[slowest] if slowest is not None else 0.0,
    )


def replay_statements(
    replay: psycopg.Connection, statements: Sequence[Statement], *, runs: int
) -> tuple[list[float], list[float]]:
    """Run ``statements`` ``runs`` times, fetching every row as Django does.

    Returns the total milliseconds of each run and the median of each statement.
    Statements are bound client-side, as Django's PostgreSQL backend does by default.
    """
    totals, per_statement = [], [[] for _ in statements]
    with psycopg.ClientCursor(replay) as cursor:
        for _ in range(runs):
            run_started = time.perf_counter()
            for n, (sql, params, many) in enumerate(statements):
                started = time.perf_counter()
                if many:
                    cursor.executemany(sql, params)
                else:
                    cursor.execute(sql, params)
                if cursor.description is not None:
                    cursor.fetchall()
                per_statement[n].append((time.perf_counter() - started) * 1000)
            totals.append((time.perf_counter() - run_started) * 1000)
    return totals, [statistics.median(times) for times in per_statement]


def measure_pages(
    urls: Sequence[BenchUrl],
    *,
    runs: int,
    replay: psycopg.Connection,
    progress: Callable[[PageTiming], None] = lambda page: None,
) -> list[PageTiming]:
    """Time every search URL as production would serve it (DEBUG off)."""
    base = reverse("catalogue:infrastructure_list")
    pages = []
    with (
        warnings.catch_warnings(),
        override_settings(
            DEBUG=False,
            ALLOWED_HOSTS=[*settings.ALLOWED_HOSTS, "testserver"],
            # Plain static storage: the benchmark runs without collectstatic.
            STORAGES={
                **settings.STORAGES,
                "staticfiles": {
                    "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
                },
            },
        ),
    ):
        # WhiteNoise warns that STATIC_ROOT is missing; static files are not timed.
        warnings.filterwarnings("ignore", message="No directory at")
        client = Client()
        for bench_url in urls:
            url = f"{base}?{bench_url.query}" if bench_url.query else base
            page = measure_page(
                client,
                url,
                label=bench_url.label,
                htmx=bench_url.htmx,
                runs=runs,
                replay=replay,
            )
            progress(page)
            pages.append(page)
    return pages


def replay_connection(settings_dict: dict[str, Any]) -> psycopg.Connection:
    """A plain psycopg connection (no Django adapters) to the database of
    ``settings_dict``, in autocommit and UTC like Django's."""
    return psycopg.connect(**psycopg_params(settings_dict), autocommit=True)


def psycopg_params(settings_dict: dict[str, Any], **overrides: Any) -> dict[str, Any]:
    params = {
        "dbname": settings_dict["NAME"],
        "user": settings_dict["USER"] or None,
        "password": settings_dict["PASSWORD"] or None,
        "host": settings_dict["HOST"] or None,
        "port": settings_dict["PORT"] or None,
        "options": "-c TimeZone=UTC",
    }
    return {key: value for key, value in {**params, **overrides}.items() if value}


def explain(replay: psycopg.Connection, sql: str, params: Any) -> str:
    with psycopg.ClientCursor(replay) as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}", params)
        return "\n".join(row[0] for row in cursor.fetchall())


@dataclass
class Summary:
    median_ratio: float
    max_median_ms: float
    max_queries: int
    missed: list[str]


def summarise(pages: Sequence[PageTiming]) -> Summary:
    missed = []
    for page in pages:
        if page.queries > MAX_QUERIES:
            missed.append(f"{page.label}: {page.queries} queries > {MAX_QUERIES}")
        if page.median_ms > MAX_MEDIAN_MS:
            missed.append(
                f"{page.label}: median {page.median_ms:.0f} ms > {MAX_MEDIAN_MS:.0f} ms"
            )
    median_ratio = statistics.median(page.ratio for page in pages)
    if median_ratio > MAX_MEDIAN_RATIO:
        missed.append(f"median ratio page/SQL {median_ratio:.2f} > {MAX_MEDIAN_RATIO}")
    return Summary(
        median_ratio=median_ratio,
        max_median_ms=max(page.median_ms for page in pages),
        max_queries=max(page.queries for page in pages),
        missed=missed,
    )


def report(dataset: dict[str, Any], pages: Sequence[PageTiming]) -> dict[str, Any]:
    summary = summarise(pages)
    return {
        "dataset": dataset,
        "pages": [page.as_json() for page in pages],
        "summary": {
            "median_ratio": round(summary.median_ratio, 2),
            "max_median_ms": round(summary.max_median_ms, 2),
            "max_queries": summary.max_queries,
            "targets": {
                "max_queries": MAX_QUERIES,
                "max_median_ratio": MAX_MEDIAN_RATIO,
                "max_median_ms": MAX_MEDIAN_MS,
            },
            "missed": summary.missed,
        },
    }


def table(pages: Sequence[PageTiming]) -> str:
    header = (
        f"{'page':<32} {'queries':>7} {'median':>9} {'p95':>9} {'SQL':>9} {'ratio':>6}"
    )
    lines = [header, "-" * len(header)]
    for page in pages:
        lines.append(
            f"{page.label[:32]:<32} {page.queries:>7} {page.median_ms:>6.1f} ms "
            f"{page.p95_ms:>6.1f} ms {page.sql_median_ms:>6.1f} ms {page.ratio:>6.2f}"
        )
    return "\n".join(lines)
