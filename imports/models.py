import os
import re
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core.models import TimestampedModel

from .querysets import ColumnMappingQuerySet, ImportJobQuerySet


class UploadStorage(FileSystemStorage):
    """Uploaded spreadsheets hold contact details: they are kept in the private
    storage's folder, never under the public MEDIA_ROOT, and read from settings
    at each use so that the folder follows the configuration."""

    @property
    def base_location(self) -> str:
        storages: dict[str, Any] = settings.STORAGES
        private = storages.get("private", {}).get("OPTIONS", {})
        return str(
            private.get("location") or Path(settings.MEDIA_ROOT).parent / "private"
        )

    @property
    def location(self) -> str:
        return os.path.abspath(self.base_location)

    @property
    def base_url(self) -> None:  # type: ignore[override]
        # No address: the files are never served.
        return None


def upload_storage() -> UploadStorage:
    return UploadStorage()


class ImportKind(models.TextChoices):
    INFRASTRUCTURES = "infrastructures", _("Infrastructures")
    SERVICES = "services", _("Services")
    EQUIPMENT = "equipment", _("Equipment")
    UNIQUIP = "uniquip", _("UNIQUIP equipment and facility records")


class ColumnMapping(TimestampedModel):
    """A partner's column names mapped to the catalogue's fields, kept for next time."""

    Kind = ImportKind

    name = models.CharField(_("name"), max_length=100)
    region = models.ForeignKey(
        "catalogue.Region",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("region"),
        help_text=_("The partner region whose spreadsheets use these columns."),
    )
    kind = models.CharField(_("records"), max_length=16, choices=Kind)
    columns = models.JSONField(
        _("columns"),
        default=dict,
        help_text=_("Each column of the spreadsheet and the field it fills."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )

    objects = ColumnMappingQuerySet.as_manager()

    class Meta:
        verbose_name = _("column mapping")
        verbose_name_plural = _("column mappings")
        ordering = ["region", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["region", "name"],
                name="column_mapping_name_unique_in_region",
                violation_error_message=_(
                    "This region already has a column mapping with this name."
                ),
            ),
            models.CheckConstraint(
                condition=Q(kind__in=ImportKind.values),
                name="column_mapping_kind_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.region_id})"


class ImportStatus(models.TextChoices):
    UPLOADED = "uploaded", _("Waiting for the column mapping")
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    PREVIEWED = "previewed", _("Preview ready")
    DONE = "done", _("Imported")
    FAILED = "failed", _("Failed")


class NewListingStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PENDING = "pending", _("Pending review")


def reason_of(message: str) -> str:
    """A row's message without its particulars (quoted values, row numbers), to
    group the rows left out for the same reason."""
    message = re.sub(r"“[^”]*”", "“…”", message)
    return re.sub(r"\brow \d+", "row …", message)


# The key of ``ImportJob.unmatched_tags`` under which the rows placed in a country
# are kept (their city named no single NUTS 3 region).
COUNTRY_LEVEL = "country_level"


class ImportJob(TimestampedModel):
    """One spreadsheet brought into the catalogue: who, what, how far, and the report."""

    Kind = ImportKind
    Status = ImportStatus

    kind = models.CharField(_("records"), max_length=16, choices=Kind)
    region = models.ForeignKey(
        "catalogue.Region",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("region"),
        help_text=_("Rows must lie in this region or below it."),
    )
    file = models.FileField(
        _("file"), upload_to="imports/", storage=upload_storage, blank=True
    )
    file_name = models.CharField(_("file name"), max_length=255)
    columns = models.JSONField(_("columns of the file"), default=list)
    mapping = models.ForeignKey(
        ColumnMapping,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="jobs",
        verbose_name=_("column mapping"),
    )
    # The mapping used, kept even if the named mapping is later changed or deleted.
    mapped_columns = models.JSONField(_("mapped columns"), default=dict, blank=True)
    new_status = models.CharField(
        _("new listings become"),
        max_length=10,
        choices=NewListingStatus,
        default=NewListingStatus.PENDING,
    )
    dry_run = models.BooleanField(_("preview only"), default=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status, default=Status.UPLOADED
    )
    total_rows = models.PositiveIntegerField(_("rows"), default=0)
    processed_rows = models.PositiveIntegerField(_("rows processed"), default=0)
    new_count = models.PositiveIntegerField(_("new"), default=0)
    updated_count = models.PositiveIntegerField(_("updated"), default=0)
    unchanged_count = models.PositiveIntegerField(_("unchanged"), default=0)
    error_count = models.PositiveIntegerField(_("rows with errors"), default=0)
    errors = models.JSONField(
        _("row errors"),
        default=list,
        blank=True,
        help_text=_("Row number, column and reason."),
    )
    unmatched_tags = models.JSONField(
        _("unmatched tags"),
        default=dict,
        blank=True,
        help_text=_("Per column, the values that matched no term of the vocabulary."),
    )
    report = models.JSONField(
        _("report"),
        default=dict,
        blank=True,
        help_text=_(
            "Possible duplicates, incomplete listings and cleaned values, by row."
        ),
    )
    accept_duplicates = models.BooleanField(
        _("import possible duplicates"),
        default=False,
        help_text=_(
            "Import new rows that look like an existing listing (same name and city "
            "or host) as listings of their own."
        ),
    )
    infrastructure = models.ForeignKey(
        "catalogue.Infrastructure",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("equipment of"),
        help_text=_("The listing that equipment rows naming no facility belong to."),
    )
    message = models.TextField(_("message"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("imported by"),
    )
    infrastructures = models.ManyToManyField(
        "catalogue.Infrastructure",
        blank=True,
        related_name="import_jobs",
        verbose_name=_("infrastructures created or updated"),
    )
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    objects = ImportJobQuerySet.as_manager()

    class Meta:
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=ImportKind.values), name="import_job_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(status__in=ImportStatus.values),
                name="import_job_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(new_status__in=NewListingStatus.values),
                name="import_job_new_status_valid",
            ),
        ]
        indexes = [models.Index(fields=["status"], name="import_job_status_idx")]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.get_kind_display()})"

    def get_absolute_url(self) -> str:
        return reverse("imports:job_detail", kwargs={"pk": self.pk})

    @property
    def tags_unmatched(self) -> dict[str, list[dict]]:
        """Per column, the values that matched no term of the vocabulary."""
        return {
            column: values
            for column, values in self.unmatched_tags.items()
            if column != COUNTRY_LEVEL
        }

    @property
    def placed_at_country_level(self) -> list[dict]:
        """The region and city cells of rows placed in a country, with their rows."""
        return self.unmatched_tags.get(COUNTRY_LEVEL, [])

    @property
    def duplicates(self) -> list[dict]:
        return self.report.get("duplicates", [])

    @property
    def incomplete(self) -> list[dict]:
        return self.report.get("incomplete", [])

    @property
    def incomplete_count(self) -> int:
        return self.report.get("incomplete_count", 0)

    @property
    def cleaned(self) -> dict[str, int]:
        return self.report.get("cleaned", {})

    @property
    def error_groups(self) -> list[dict]:
        """The rows left out, by reason: the reason, how many, the first rows."""
        groups: dict[str, dict] = {}
        for error in self.errors:
            reason = reason_of(error["message"])
            group = groups.setdefault(
                reason, {"reason": reason, "count": 0, "examples": []}
            )
            group["count"] += 1
            if len(group["examples"]) < 5:
                group["examples"].append(error)
        return sorted(groups.values(), key=lambda group: -group["count"])

    @property
    def is_active(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)

    @property
    def percent(self) -> int:
        if not self.total_rows:
            return 100 if self.status == self.Status.DONE else 0
        return min(100, self.processed_rows * 100 // self.total_rows)
