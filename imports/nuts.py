"""NUTS 2021 codes in partners' spreadsheets, read as the NUTS 2024 codes we store.

Eurostat's changes table lists each 2021 code that changed: a new code, or a boundary
shift followed by the new region that replaces it (same name), or a split or merger,
which has no single successor.
"""

import csv
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache

from django.utils.translation import gettext as _

from catalogue.reference import REFERENCE_DIR

_CHANGES = REFERENCE_DIR / "nuts2021_to_2024_changes.csv"


def _label(row: dict) -> str:
    return row["nuts1_label"] or row["nuts2_label"] or row["nuts3_label"]


@cache
def nuts2021_successors() -> dict[str, str | None]:
    """Each NUTS 2021 code that changed and its NUTS 2024 code (None: no single one)."""
    with open(_CHANGES, encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    successors: dict[str, str | None] = {}
    for i, row in enumerate(rows):
        old, new, change = row["code_2021"], row["code_2024"], row["change"]
        if not old or old == new:
            continue
        if change == "Code change":
            successors[old] = new
            continue
        successors[old] = None
        if change == "Boundary shift":
            for following in rows[i + 1 :]:
                if following["change"] != "New region":
                    break
                if _label(following) == _label(row):
                    successors[old] = following["code_2024"]
    return successors


def to_nuts2024(code: str, known: set[str]) -> str:
    """The NUTS 2024 code for ``code`` (2021 or 2024); ValueError if there is none.

    ``known`` holds the NUTS 2024 codes of the catalogue's regions.
    """
    code = "".join(code.split()).upper()
    if code in known:
        return code
    successors = nuts2021_successors()
    if code in successors:
        successor = successors[code]
        if successor is None:
            raise ValueError(
                _(
                    "The NUTS 2021 region %(code)s was split or merged in NUTS 2024; "
                    "give its NUTS 2024 code."
                )
                % {"code": code}
            )
        return successor
    raise ValueError(_("Unknown NUTS region code “%(code)s”.") % {"code": code})


# Country names partners write that are neither the NUTS native nor English label.
COUNTRY_VARIANTS = {
    "czech republic": "CZ",
    "the czech republic": "CZ",
    "tschechien": "CZ",
    "republique tcheque": "CZ",
    "repubblica ceca": "CZ",
    "republica checa": "CZ",
    "czechy": "CZ",
    "the netherlands": "NL",
    "holland": "NL",
    "nederland": "NL",
    "pays-bas": "NL",
    "niederlande": "NL",
    "paesi bassi": "NL",
    "paises bajos": "NL",
    "holandia": "NL",
    "gr": "EL",
    "hellas": "EL",
    "grece": "EL",
    "griechenland": "EL",
    "grecia": "EL",
    "slovak republic": "SK",
    "slowakei": "SK",
    "slovaquie": "SK",
    "republic of ireland": "IE",
    "irland": "IE",
    "irlande": "IE",
    "deutschland": "DE",
    "allemagne": "DE",
    "germania": "DE",
    "alemania": "DE",
    "niemcy": "DE",
    "nemecko": "DE",
    "frankreich": "FR",
    "francia": "FR",
    "francja": "FR",
    "italien": "IT",
    "italie": "IT",
    "wlochy": "IT",
    "spanien": "ES",
    "espagne": "ES",
    "spagna": "ES",
    "hiszpania": "ES",
    "belgien": "BE",
    "belgique": "BE",
    "belgie": "BE",
    "belgio": "BE",
    "belgica": "BE",
    "osterreich": "AT",
    "autriche": "AT",
    "oesterreich": "AT",
    "schweden": "SE",
    "suede": "SE",
    "svezia": "SE",
    "suecia": "SE",
    "finnland": "FI",
    "finlande": "FI",
    "danemark": "DK",
    "dänemark": "DK",
    "danimarca": "DK",
    "polen": "PL",
    "pologne": "PL",
    "polonia": "PL",
    "poland": "PL",
    "portugal": "PT",
    "rumanien": "RO",
    "roumanie": "RO",
    "ungarn": "HU",
    "hongrie": "HU",
    "ungheria": "HU",
    "kroatien": "HR",
    "croatie": "HR",
    "slowenien": "SI",
    "slovenie": "SI",
    "estland": "EE",
    "estonie": "EE",
    "lettland": "LV",
    "lettonie": "LV",
    "litauen": "LT",
    "lituanie": "LT",
    "luxemburg": "LU",
    "zypern": "CY",
    "chypre": "CY",
    "bulgarien": "BG",
    "bulgarie": "BG",
}
# Countries outside the EU27's NUTS 2024 that partners' files list.
OUTSIDE_EU27 = {
    "uk",
    "gb",
    "united kingdom",
    "great britain",
    "england",
    "scotland",
    "wales",
    "northern ireland",
    "no",
    "norway",
    "norge",
    "ch",
    "switzerland",
    "schweiz",
    "suisse",
    "svizzera",
    "tr",
    "turkey",
    "turkiye",
    "is",
    "iceland",
    "li",
    "liechtenstein",
    "rs",
    "serbia",
    "me",
    "montenegro",
    "mk",
    "north macedonia",
    "al",
    "albania",
    "ua",
    "ukraine",
    "il",
    "israel",
    "us",
    "usa",
    "united states",
}


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", str(text))
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(bare.casefold().replace("’", "'").split())


def _names(label: str) -> list[str]:
    """The names in a NUTS label: "Belgique/België", "България (Bulgaria)"."""
    names = []
    for part in re.split(r"[/()]", label):
        part = _fold(part)
        if part:
            names.append(part)
            # "Arr. de Bruxelles-Capitale", "Kreisfreie Stadt Chemnitz"
            bare = re.sub(
                r"^(arr\.|arrondissement|kreisfreie stadt|landkreis|provincia di|"
                r"provincia de|province de|comarca de|stadtkreis)\s+"
                r"(de |d'|du |des )?",
                "",
                part,
            )
            if bare != part:
                names.append(bare.strip())
            if ", " in part:
                names.append(part.split(", ")[0])
    return names


@dataclass
class RegionIndex:
    """The catalogue's regions by code, country and name, to read what a file says
    about where a row lies."""

    codes: set[str] = field(default_factory=set)
    countries: dict[str, str] = field(default_factory=dict)
    names: dict[str, set[str]] = field(default_factory=dict)
    levels: dict[str, int] = field(default_factory=dict)
    # Names of NUTS 3 regions and cities of listings, by country: NUTS 3 codes.
    places: dict[tuple[str, str], set[str]] = field(default_factory=dict)

    @classmethod
    def build(
        cls,
        regions: Iterable[tuple[str, int, str, str, str]],
        cities: Iterable[tuple[str, str]] = (),
    ) -> "RegionIndex":
        """``regions``: (code, level, native name, English name, ISO country);
        ``cities``: (city, NUTS 3 code) of the catalogue's listings."""
        index = cls()
        for code, level, name, name_en, iso in regions:
            index.codes.add(code)
            index.levels[code] = level
            labels = _names(name) + _names(name_en)
            if level == 0:
                index.countries[_fold(code)] = code
                index.countries[_fold(iso)] = code
                for label in labels:
                    index.countries[label] = code
                continue
            for label in labels:
                index.names.setdefault(label, set()).add(code)
                if level == 3:
                    index.places.setdefault((code[:2], label), set()).add(code)
        for key, code in COUNTRY_VARIANTS.items():
            index.countries.setdefault(_fold(key), code)
        for city, code in cities:
            if city and code in index.codes and index.levels[code] == 3:
                place = (code[:2], _fold(city))
                index.places.setdefault(place, set()).add(code)
        return index

    def resolve(self, value: str, city: str = "") -> tuple[str, bool]:
        """The NUTS 2024 code for a cell and whether it stayed at country level
        because ``city`` did not name one NUTS 3 region; ValueError if none."""
        text = " ".join(str(value).split())
        folded = _fold(text)
        if folded in self.countries:
            return self._refine(self.countries[folded], city)
        if folded in OUTSIDE_EU27:
            raise ValueError(
                _(
                    "“%(value)s” is outside the EU27 regions (NUTS 2024); "
                    "the row is left out."
                )
                % {"value": text}
            )
        if (
            re.fullmatch(r"[A-Za-z]{2}[0-9A-Za-z ]{0,4}", text)
            and folded not in self.names
        ):
            code = to_nuts2024(text, self.codes)
            if self.levels.get(code) == 0:
                return self._refine(code, city)
            return code, False
        found = self.names.get(folded, set())
        if found:
            deepest = max(self.levels[code] for code in found)
            found = {code for code in found if self.levels[code] == deepest}
            if len(found) == 1:
                return found.pop(), False
            raise ValueError(
                _("“%(value)s” names several regions: %(codes)s; give its NUTS code.")
                % {"value": text, "codes": ", ".join(sorted(found))}
            )
        return to_nuts2024(text, self.codes), False

    def _refine(self, country: str, city: str) -> tuple[str, bool]:
        if not city.strip():
            return country, False
        found = self.places.get((country[:2], _fold(city)), set())
        if len(found) == 1:
            return next(iter(found)), False
        return country, True
