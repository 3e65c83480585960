from typing import TYPE_CHECKING

from django.db import models

from accounts import permissions
from accounts.permissions import AnyUser

if TYPE_CHECKING:
    # The models of the QuerySets' type arguments, which ruff does not read.
    from .models import ColumnMapping, ImportJob  # noqa: F401


class ColumnMappingQuerySet(models.QuerySet["ColumnMapping"]):
    def usable_by(self, user: AnyUser | None) -> "ColumnMappingQuerySet":
        """Mappings saved for a region ``user`` administers."""
        return self.filter(permissions.administered_q(user, "region"))


class ImportJobQuerySet(models.QuerySet["ImportJob"]):
    def visible_to(self, user: AnyUser | None) -> "ImportJobQuerySet":
        """Imports into a region ``user`` administers."""
        return self.filter(permissions.administered_q(user, "region"))
