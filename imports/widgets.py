"""How a spreadsheet cell becomes a catalogue value, and back for exports."""

import re
import unicodedata
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from django.db import models
from django.utils.text import slugify
from django.utils.translation import gettext as _
from import_export import widgets

from accounts.models import Organisation, OrganisationKind
from catalogue.models import Concept, Lifecycle, Region

if TYPE_CHECKING:
    from .resources.context import ImportContext

# Labels may contain commas ("Deposition, etching and thin-film processing").
TAG_SEPARATORS = re.compile(r"[;|\n]")


def normalise(text: str) -> str:
    """Case-, accent- and spacing-insensitive form of a label."""
    decomposed = unicodedata.normalize("NFKD", str(text))
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(bare.casefold().split())


class ContextWidget(widgets.Widget):
    """A widget that reads the running import's context (vocabularies, regions),
    which its resource binds it to."""

    _context: "ImportContext | None" = None

    def bind(self, context: "ImportContext | None") -> None:
        self._context = context

    @property
    def context(self) -> "ImportContext":
        if self._context is None:
            raise RuntimeError("This widget reads cells only during an import.")
        return self._context


class ConceptsWidget(ContextWidget, widgets.ManyToManyWidget):
    """Tag labels, codes or alternative labels, separated by ``;``, matched to the
    terms of one vocabulary; values that match nothing are reported, not fatal."""

    def __init__(self, scheme: str, column: str) -> None:
        super().__init__(Concept, separator="; ", field="label")
        self.scheme, self.column = scheme, column

    def clean(
        self, value: Any, row: dict[str, Any] | None = None, **kwargs: Any
    ) -> list[Concept]:
        concepts = {}
        for part in TAG_SEPARATORS.split(str(value or "")):
            if not part.strip():
                continue
            for label, concept in self._match(part):
                if concept is None:
                    self.context.report_unmatched(self.column, label, row, self.scheme)
                else:
                    concepts[concept.pk] = concept
        return list(concepts.values())

    def _match(self, part: str) -> list[tuple[str, Concept | None]]:
        """The terms of ``part``: the whole of it, else its comma-separated pieces,
        joined again where a term's label itself holds a comma (longest first)."""
        concept = self.context.concept(self.scheme, part)
        pieces = [piece.strip() for piece in part.split(",")]
        if concept is not None or len(pieces) == 1:
            return [(part.strip(), concept)]
        found: list[tuple[str, Concept | None]] = []
        start = 0
        while start < len(pieces):
            for end in range(len(pieces), start, -1):
                label = ", ".join(pieces[start:end])
                concept = self.context.concept(self.scheme, label)
                if concept is not None or end == start + 1:
                    if label:
                        found.append((label, concept))
                    start = end
                    break
        return found

    def render(self, value: Any, obj: object = None, **kwargs: Any) -> str:
        return "; ".join(concept.label for concept in value.all()) if value else ""


class ConceptWidget(ContextWidget, widgets.ForeignKeyWidget):
    """One term of a vocabulary. An unknown value is an error when the field is
    required; otherwise it is reported and left empty, or replaced by ``fallback``."""

    def __init__(
        self, scheme: str, column: str, *, required: bool, fallback: str = ""
    ) -> None:
        super().__init__(Concept, field="label")
        self.scheme, self.column = scheme, column
        self.required, self.fallback = required, fallback

    def clean(
        self, value: Any, row: dict[str, Any] | None = None, **kwargs: Any
    ) -> Concept | None:
        value = str(value or "").strip()
        concept = self.context.concept(self.scheme, value) if value else None
        if concept is None and value and self.fallback:
            self.context.report_unmatched(self.column, value, row, self.scheme)
            return self.context.concept(self.scheme, self.fallback)
        if concept is None and value and self.required:
            raise ValueError(
                _("“%(value)s” is not a known %(vocabulary)s.")
                % {"value": value, "vocabulary": Concept.Scheme(self.scheme).label}
            )
        if concept is None and value:
            self.context.report_unmatched(self.column, value, row, self.scheme)
        return concept

    def render(self, value: Any, obj: object = None, **kwargs: Any) -> str:
        return value.label if value else ""


class RegionWidget(ContextWidget, widgets.ForeignKeyWidget):
    """A NUTS 2024 or 2021 code, an ISO country code, or a country or region name
    (refined to NUTS 3 by the row's city); blank means the import's region."""

    def __init__(self) -> None:
        super().__init__(Region, field="code")

    def clean(
        self, value: object, row: dict[str, Any] | None = None, **kwargs: Any
    ) -> Region:
        return self.model(code=self.context.region_code(value, row))

    def render(self, value: Any, obj: object = None, **kwargs: Any) -> str:
        return value.code if value else ""


class HostWidget(ContextWidget, widgets.ForeignKeyWidget):
    """The host organisation by name; a new name creates the organisation in the
    row's country (the row is rolled back as a whole if it fails)."""

    def __init__(self, region_column: str) -> None:
        super().__init__(Organisation, field="name")
        self.region_column = region_column
        # Organisations found in the database (a resource imports one chunk).
        self.found: dict[str, Organisation] = {}

    def clean(
        self, value: Any, row: dict[str, Any] | None = None, **kwargs: Any
    ) -> Organisation | None:
        name = " ".join(str(value or "").split())
        if not name:
            return None
        key = name.casefold()
        if key not in self.found:
            found = Organisation.objects.filter(name__iexact=name).first()
            if found:
                self.found[key] = found
        if key in self.found:
            return self.found[key]
        try:
            region = self.context.region_code((row or {}).get(self.region_column))
        except ValueError:
            region = self.context.region_code("")
        slug = slugify(name)[:200] or "organisation"
        taken = Organisation.objects.filter(slug__startswith=slug).count()
        return Organisation.objects.create(
            name=name[:200],
            slug=f"{slug}-{taken + 1}" if taken else slug,
            kind=OrganisationKind.RTO,
            country_id=region[:2],
            region_id=region,
        )

    def render(self, value: Any, obj: object = None, **kwargs: Any) -> str:
        return value.name if value else ""


class ChoiceWidget(widgets.Widget):
    """A value of a TextChoices, by code or by label in any case."""

    def __init__(self, choices: type[models.TextChoices]) -> None:
        super().__init__()
        self.choices = choices

    def clean(
        self, value: Any, row: dict[str, Any] | None = None, **kwargs: Any
    ) -> str | None:
        value = str(value or "").strip()
        if not value:
            return None
        for code, label in self.choices.choices:
            if normalise(value) in (normalise(code), normalise(label)):
                return code
        raise ValueError(
            _("“%(value)s” is not one of: %(choices)s.")
            % {"value": value, "choices": ", ".join(self.choices.labels)}
        )

    def render(self, value: Any, obj: object = None, **kwargs: Any) -> str:
        return str(self.choices(value).label) if value else ""


class YesNoWidget(widgets.BooleanWidget):
    """Yes or no in the words spreadsheets use; blank keeps the default."""

    YES = {"1", "true", "yes", "y", "x", "ja", "si", "oui", "jah", "ano"}
    NO = {"0", "false", "no", "n", "nein", "nee", "non", "ei", "ne", "nej"}

    def clean(
        self, value: Any, row: dict[str, Any] | None = None, **kwargs: Any
    ) -> bool | None:
        word = normalise(str(value if value is not None else ""))
        if not word:
            return None
        if word in self.YES:
            return True
        if word in self.NO:
            return False
        raise ValueError(_("Write yes or no, not “%(value)s”.") % {"value": value})

    def render(self, value: Any, obj: object = None, **kwargs: Any) -> str:
        return "" if value is None else (_("yes") if value else _("no"))


def _number(value: Any) -> Decimal | None:
    try:
        return Decimal(str(value).strip().replace(",", "."))
    except (InvalidOperation, ValueError):
        return None


def clean_coordinates(row: dict[str, Any], places: int = 5) -> dict[str, Any]:
    """Round the row's latitude and longitude to the stored precision, and swap
    them when the latitude is out of range but would fit as a longitude and the
    longitude as a latitude. Values out of range stay for the row's checks."""
    lat, lng = _number(row.get("latitude", "")), _number(row.get("longitude", ""))
    if lat is None or lng is None or not (lat.is_finite() and lng.is_finite()):
        return row
    if abs(lat) > 90 and abs(lng) <= 90 and abs(lat) <= 180:
        lat, lng = lng, lat
    quantum = Decimal(1).scaleb(-places)
    row["latitude"] = str(lat.quantize(quantum, rounding=ROUND_HALF_UP))
    row["longitude"] = str(lng.quantize(quantum, rounding=ROUND_HALF_UP))
    return row


def clean_url(value: Any) -> Any:
    """A web address without a scheme ("www.example.org") gets ``https://``."""
    text = str(value or "").strip()
    if text and "://" not in text and "." in text and " " not in text:
        return f"https://{text}"
    return value


EMAIL = re.compile(r"[\w.!#$%&'*+/=?^`{|}~-]+@[\w-]+(\.[\w-]+)+")
PHONE_PREFIX = re.compile(r"^\s*(tel(ephone|efon|efono)?|phone|ph|t)\s*[.:]?\s*", re.I)
PHONE_SEPARATORS = re.compile(r"\s*(?:[;|\n]|\bor\b|,\s*(?=\+|\d{3}))\s*")


def clean_email(value: Any) -> str:
    """The first e-mail address of a cell ("mailto:", brackets, several addresses,
    "name at example dot org" left aside), its domain in lower case; blank if the
    cell holds none."""
    text = str(value or "").strip().replace("mailto:", "")
    found = EMAIL.search(text)
    if not found:
        return ""
    local, _at, domain = found.group(0).partition("@")
    return f"{local}@{domain.lower()}".strip(".")


def clean_phone(value: Any) -> str:
    """The first telephone number of a cell, without a "Tel.:" label or stray
    characters, its spacing made single; at most 40 characters."""
    text = str(value or "").strip()
    if not text:
        return ""
    first = PHONE_SEPARATORS.split(text)[0]
    first = PHONE_PREFIX.sub("", first)
    first = re.sub(r"[^\d+()./ -]", "", first)
    return " ".join(first.split())[:40]


def first_sentence(text: str, limit: int = 300) -> str:
    """The first sentence of ``text``, cut at a word to at most ``limit``
    characters."""
    text = " ".join(str(text or "").split())
    sentence = re.split(r"(?<=[.!?])\s+(?=[A-ZÀ-Ý])", text, maxsplit=1)[0]
    if len(sentence) <= limit:
        return sentence
    return sentence[: limit - 1].rsplit(" ", 1)[0] + "…"


class LifecycleWidget(widgets.Widget):
    """Where an infrastructure stands, from the status text of inventories
    ("Operational", "Under construction from 2014", "Planned"); the catalogue's
    own statuses (draft, published...) and blanks say nothing about it."""

    WORDS = {
        "decommissioned": (
            "decommission",
            "closed",
            "terminated",
            "shut down",
            "dismantled",
            "ceased",
            "stillgelegt",
            "chiuso",
            "ferme",
        ),
        "under_construction": (
            "construction",
            "implementation",
            "being built",
            "upgrade",
            "im bau",
            "in costruzione",
            "en construction",
            "ve vystavbe",
        ),
        "planned": (
            "planned",
            "planning",
            "proposed",
            "preparation",
            "preparatory",
            "design",
            "concept",
            "future",
            "geplant",
            "previsto",
            "prevu",
        ),
        "operational": (
            "operational",
            "operating",
            "in operation",
            "active",
            "running",
            "open",
            "available",
            "in betrieb",
            "operativo",
            "en service",
        ),
    }

    def clean(
        self, value: Any, row: dict[str, Any] | None = None, **kwargs: Any
    ) -> str | None:
        text = normalise(str(value or ""))
        if not text:
            return None
        for code, words in self.WORDS.items():
            if any(word in text for word in words):
                return code
        return None

    def render(self, value: Any, obj: object = None, **kwargs: Any) -> str:
        return str(Lifecycle(value).label) if value else ""
