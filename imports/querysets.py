from django.db import models

from accounts.permissions import administered_codes, within


def administered_region_codes(user) -> list[str] | None:
    """The NUTS codes of the regions ``user`` administers (each covering those
    below it); None for a superuser, who administers every region."""
    if not user.is_authenticated:
        return []
    return administered_codes(user)


def region_allowed(code: str, allowed: list[str] | None) -> bool:
    return allowed is None or any(code.startswith(prefix) for prefix in allowed)


class ColumnMappingQuerySet(models.QuerySet):
    def usable_by(self, user) -> "ColumnMappingQuerySet":
        """Mappings saved for a region ``user`` administers."""
        codes = administered_region_codes(user)
        return self if codes is None else self.filter(within("region", codes))


class ImportJobQuerySet(models.QuerySet):
    def visible_to(self, user) -> "ImportJobQuerySet":
        """Imports into a region ``user`` administers."""
        codes = administered_region_codes(user)
        return self if codes is None else self.filter(within("region", codes))
