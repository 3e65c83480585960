"""What one import shares between its chunks and resources: the vocabularies and
regions to match against, who imports (and so where rows may lie), and the report
(counts, row errors, unmatched tags)."""

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
MAX_REPORTED_ERRORS = 1000


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
    seen: dict[tuple[str, ...], int] = field(default_factory=dict)
    unmatched: defaultdict[str, defaultdict[str, set[int]]] = field(
        default_factory=lambda: defaultdict(lambda: defaultdict(set))
    )
    errors: list[dict[str, Any]] = field(default_factory=list)
    counts: Counter[str] = field(default_factory=Counter)
    touched: set[int] = field(default_factory=set)

    @classmethod
    def load(
        cls,
        *,
        default_region: str,
        new_status: str = InfrastructureStatus.PENDING,
        user: User | None = None,
    ) -> "ImportContext":
        context = cls(default_region=default_region, new_status=new_status, user=user)
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
            for name in [concept.code, *concept.alt_labels, concept.label]:
                terms[normalise(name)] = concept
        return context

    def may_write(self, region_code: str) -> bool:
        """Whether a row may lie in (or move a record out of) ``region_code``."""
        return self.user is None or permissions.administers_region(
            self.user, region_code
        )

    def concept(self, scheme: str, value: str) -> Concept | None:
        return self.vocabulary.get(scheme, {}).get(normalise(value))

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
        self, column: str, value: str, row: dict[str, Any] | None
    ) -> None:
        self.unmatched[column][value].add((row or {}).get(ROW_NUMBER, 0))

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
        report = {column: _values(values) for column, values in self.unmatched.items()}
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
