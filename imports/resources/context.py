"""What one import shares between its chunks and resources: the vocabularies and
regions to match against, who imports (and so where rows may lie), and the report
(counts, row errors, unmatched tags)."""

import difflib
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils.translation import gettext as _
from import_export.results import RowResult

from accounts import permissions
from accounts.models import User
from catalogue.models import Concept, Infrastructure, InfrastructureStatus, Region

from ..models import COUNTRY_LEVEL
from ..nuts import RegionIndex
from ..widgets import normalise

ROW_NUMBER = "_row"
# Set on rows whose key was made from their name (the file gave none).
KEY_FROM_NAME = "_key_from_name"
MAX_REPORTED_ERRORS = 1000
# Listed per kind of problem in the report (the rest are counted).
MAX_LISTED = 1000


def singular(text: str) -> str:
    """``text`` (normalised) with each word's plural ending taken off, so that
    "Laboratories" and "laboratory", "Clean rooms" and "Clean room" meet."""
    words = []
    for word in text.split():
        if len(word) > 4 and word.endswith("ies"):
            word = word[:-3] + "y"
        elif len(word) > 4 and word.endswith(("ses", "xes", "ches", "shes")):
            word = word[:-2]
        elif len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
            word = word[:-1]
        words.append(word)
    return " ".join(words)


def listing_key(*parts: str | None) -> tuple[str, ...]:
    return tuple(normalise(part or "") for part in parts)


@dataclass
class ImportContext:
    """What one import matches against, may write to, and reports."""

    default_region: str
    new_status: str = InfrastructureStatus.PENDING
    # None for the command run without --user: every region is open to it.
    user: User | None = None
    regions: RegionIndex = field(default_factory=RegionIndex)
    # Rows placed in a country because their city named no single NUTS 3 region.
    country_level: defaultdict[str, set[int]] = field(
        default_factory=lambda: defaultdict(set)
    )
    vocabulary: dict[str, dict[str, Concept]] = field(default_factory=dict)
    # The same terms by their singular forms, and every label, for suggestions.
    singular_vocabulary: dict[str, dict[str, Concept]] = field(default_factory=dict)
    labels: dict[str, dict[str, Concept]] = field(default_factory=dict)
    # Whether a new listing that looks like an existing one is imported anyway.
    accept_duplicates: bool = False
    # Existing listings by (name, city) and (name, host), normalised, for
    # possible duplicates; built on first use.
    _listings: dict[tuple[str, ...], tuple[int, str]] | None = None
    duplicates: list[dict[str, Any]] = field(default_factory=list)
    # The listings some import wrote, which a row keyed by its name may update.
    _imported: set[int] | None = None
    _keys_given: set[str] = field(default_factory=set)
    # New listings and what they lack, and listings whose summary was made.
    incomplete: list[dict[str, Any]] = field(default_factory=list)
    incomplete_count: int = 0
    cleaned: defaultdict[str, set[int]] = field(
        default_factory=lambda: defaultdict(set)
    )
    seen: dict[tuple[str, ...], int] = field(default_factory=dict)
    unmatched: defaultdict[str, defaultdict[str, set[int]]] = field(
        default_factory=lambda: defaultdict(lambda: defaultdict(set))
    )
    errors: list[dict[str, Any]] = field(default_factory=list)
    counts: Counter[str] = field(default_factory=Counter)
    touched: set[int] = field(default_factory=set)
    unmatched_schemes: dict[str, str] = field(default_factory=dict)

    @classmethod
    def load(
        cls,
        *,
        default_region: str,
        new_status: str = InfrastructureStatus.PENDING,
        user: User | None = None,
        accept_duplicates: bool = False,
    ) -> "ImportContext":
        context = cls(
            default_region=default_region,
            new_status=new_status,
            user=user,
            accept_duplicates=accept_duplicates,
        )
        context.regions = RegionIndex.build(
            Region.objects.values_list(
                "code", "level", "name", "name_en", "country_code"
            ),
            Infrastructure.objects.filter(region__level=3)
            .values_list("city", "region_id")
            .distinct(),
        )
        for concept in Concept.objects.order_by("-order"):
            terms = context.vocabulary.setdefault(concept.scheme, {})
            singulars = context.singular_vocabulary.setdefault(concept.scheme, {})
            context.labels.setdefault(concept.scheme, {})[concept.label] = concept
            for name in [concept.code, *concept.alt_labels, concept.label]:
                terms[normalise(name)] = concept
                singulars[singular(normalise(name))] = concept
        return context

    def may_write(self, region_code: str) -> bool:
        """Whether a row may lie in (or move a record out of) ``region_code``."""
        return self.user is None or permissions.administers_region(
            self.user, region_code
        )

    def concept(self, scheme: str, value: str) -> Concept | None:
        """The term a cell names: by code, label or alternative label, in any case
        and with or without accents, singular or plural."""
        key = normalise(value)
        found = self.vocabulary.get(scheme, {}).get(key)
        if found is None and key:
            found = self.singular_vocabulary.get(scheme, {}).get(singular(key))
        return found

    def equipment_category(
        self, equipment: Any, row: dict[str, Any], column: str
    ) -> None:
        """Give an item without a category the one its technique names, else
        "other" (an unmatched technique is reported)."""
        category = self.concept("equipment_category", equipment.technique)
        if category is None and equipment.technique:
            self.report_unmatched(
                column, equipment.technique, row, "equipment_category"
            )
        equipment.category = category or self.concept("equipment_category", "other")

    def suggestion(self, scheme: str, value: str) -> str:
        """The label of the term closest to an unmatched value, if one is close."""
        labels = self.labels.get(scheme, {})
        folded = {normalise(label): label for label in labels}
        close = difflib.get_close_matches(normalise(value), folded, n=1, cutoff=0.6)
        return folded[close[0]] if close else ""

    def existing_listing(
        self, name: str, city: str, host: str
    ) -> tuple[int, str] | None:
        """An existing listing with this name and city, or name and host: (pk,
        name), if any."""
        if self._listings is None:
            self._listings = {}
            for (
                pk,
                known_name,
                known_city,
                known_host,
            ) in Infrastructure.objects.values_list("pk", "name", "city", "host__name"):
                for other in (known_city, known_host):
                    if other:
                        self._listings[listing_key(known_name, other)] = (
                            pk,
                            known_name,
                        )
        for other in (city, host):
            if other and (found := self._listings.get(listing_key(name, other))):
                return found
        return None

    def imported_before(self, pk: int) -> bool:
        """Whether an earlier import wrote the listing ``pk``."""
        if self._imported is None:
            from ..models import ImportJob

            self._imported = set(
                ImportJob.infrastructures.through.objects.values_list(
                    "infrastructure_id", flat=True
                )
            )
        return pk in self._imported

    def free_key(self, key: str) -> str:
        """``key`` with the first number after it that no listing has."""
        taken = set(
            Infrastructure.objects.filter(slug__startswith=key).values_list(
                "slug", flat=True
            )
        )
        n = 2
        while f"{key}-{n}" in taken | self._keys_given:
            n += 1
        self._keys_given.add(f"{key}-{n}")
        return f"{key}-{n}"

    def report_duplicate(self, row: dict[str, Any], existing: tuple[int, str]) -> None:
        if len(self.duplicates) < MAX_LISTED:
            self.duplicates.append(
                {
                    "row": row.get(ROW_NUMBER, 0),
                    "name": str(row.get("name") or ""),
                    "existing_pk": existing[0],
                    "existing_name": existing[1],
                }
            )

    def report_incomplete(
        self, row: dict[str, Any], name: str, missing: list[str]
    ) -> None:
        self.incomplete_count += 1
        if len(self.incomplete) < MAX_LISTED:
            self.incomplete.append(
                {"row": row.get(ROW_NUMBER, 0), "name": name, "missing": missing}
            )

    def report_cleaned(self, what: str, row: dict[str, Any]) -> None:
        self.cleaned[what].add(row.get(ROW_NUMBER, 0))

    def region_code(self, value: object, row: dict[str, Any] | None = None) -> str:
        """The NUTS 2024 code for a cell (a NUTS or ISO code, a country or region
        name, refined to NUTS 3 by the row's city); blank means the import's
        region."""
        row = row or {}
        text = str(value or "").strip()
        if not text:
            return self.regions.resolve(self.default_region)[0]
        code, at_country_level = self.regions.resolve(text, str(row.get("city") or ""))
        if at_country_level:
            self.country_level[f"{text} / {row.get('city')}"].add(
                row.get(ROW_NUMBER, 0)
            )
        return code

    def report_unmatched(
        self, column: str, value: str, row: dict[str, Any] | None, scheme: str = ""
    ) -> None:
        self.unmatched[column][value].add((row or {}).get(ROW_NUMBER, 0))
        if scheme:
            self.unmatched_schemes[column] = scheme

    def record(self, row_number: int, row_result: RowResult) -> None:
        kind = {
            RowResult.IMPORT_TYPE_NEW: "new",
            RowResult.IMPORT_TYPE_UPDATE: "updated",
            RowResult.IMPORT_TYPE_SKIP: "unchanged",
        }.get(row_result.import_type, "error")
        self.counts[kind] += 1
        if kind == "error" and len(self.errors) < MAX_REPORTED_ERRORS:
            self.errors.extend(
                {"row": row_number, "column": column, "message": message}
                for column, message in _messages(row_result.validation_error)
            )

    def unmatched_report(self) -> dict[str, list[dict[str, Any]]]:
        report = {}
        for column, values in self.unmatched.items():
            scheme = self.unmatched_schemes.get(column, "")
            report[column] = [
                {**item, "suggestion": self.suggestion(scheme, item["value"])}
                if scheme
                else item
                for item in _values(values)
            ]
        if self.country_level:
            report[COUNTRY_LEVEL] = _values(self.country_level)
        return report


def _values(values: dict[str, set[int]]) -> list[dict[str, Any]]:
    return [
        {"value": value, "rows": sorted(rows)[:20], "count": len(rows)}
        for value, rows in sorted(values.items())
    ]


def _messages(error: ValidationError | None) -> list[tuple[str, str]]:
    if error is None:
        return [("", _("This row could not be saved."))]
    if not hasattr(error, "error_dict"):
        return [("", message) for message in error.messages]
    return [
        ("" if name == NON_FIELD_ERRORS else name, message)
        for name, errors in error.message_dict.items()
        for message in errors
    ]
