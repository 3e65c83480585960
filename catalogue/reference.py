"""Reference data shipped with the portal: NUTS 2024 regions and the vocabularies.

The loaders take the model classes as arguments so that data migrations can pass
their historical models. Both are idempotent (update or create by natural key).
"""

import csv
import json
from pathlib import Path
from typing import Any

REFERENCE_DIR = Path(__file__).resolve().parent.parent / "fixtures" / "reference"

PARTNER_REGIONS = {
    "ITH5": "Emilia-Romagna",
    "NL41": "North Brabant",
    "BE2": "Flanders",
    "DED4": "Chemnitz",
    "LV00C": "Vidzeme",
    "EE008": "Southern Estonia",
    "CZ064": "South Moravia",
    "SE224": "Skåne",
}


def load_regions(Region) -> int:
    """Load the EU27 NUTS 2024 regions, parents before children."""
    with open(REFERENCE_DIR / "nuts2024_eu27.csv", encoding="utf-8") as f:
        rows = sorted(csv.DictReader(f), key=lambda r: int(r["level"]))
    regions = [
        Region(
            code=row["nuts_code"],
            level=int(row["level"]),
            name=row["label_native"],
            name_en=row["label_en_country"]
            or PARTNER_REGIONS.get(row["nuts_code"], ""),
            parent_id=row["parent_code"] or None,
            country_code=row["iso3166_alpha2"],
            is_partner=row["nuts_code"] in PARTNER_REGIONS,
        )
        for row in rows
    ]
    Region.objects.bulk_create(
        regions,
        update_conflicts=True,
        unique_fields=["code"],
        update_fields=[
            "level",
            "name",
            "name_en",
            "parent",
            "country_code",
            "is_partner",
        ],
    )
    return len(rows)


def load_concepts(Concept) -> int:
    """Load every vocabulary, broader concepts first, then the KET mappings."""
    with open(REFERENCE_DIR / "taxonomies.json", encoding="utf-8") as f:
        entries = json.load(f)
    concepts: dict[tuple[str, str], Any] = {}
    for entry in sorted(entries, key=lambda e: e["parent"] is not None):
        parent = concepts[entry["scheme"], entry["parent"]] if entry["parent"] else None
        concepts[entry["scheme"], entry["code"]], _ = Concept.objects.update_or_create(
            scheme=entry["scheme"],
            code=entry["code"],
            defaults={
                "label": entry["label"],
                "alt_labels": entry["alt_labels"],
                "description": entry["description"],
                "parent": parent,
                "collection": entry["collection"],
                "order": entry["order"],
                "source": entry["source"],
            },
        )
    for entry in entries:
        if entry["maps_to"]:
            concepts[entry["scheme"], entry["code"]].maps_to.set(
                [concepts[entry["scheme"], code] for code in entry["maps_to"]]
            )
    return len(entries)


def ensure_reference_data() -> None:
    """Load the reference data again if a test flushed the database."""
    from django.apps import apps
    from django.contrib.auth.models import Group

    from accounts.roles import create_groups

    from .models import Concept, Region

    if not Region.objects.exists():
        load_regions(Region)
    if not Concept.objects.exists():
        load_concepts(Concept)
    if not Group.objects.exists():
        create_groups(apps)
