"""What the catalogue's resources share: the running import's context, a
savepoint per row, duplicate rows, the importer's regions, the change history
written per chunk, and exports whose text cells never start a formula.

Every row is written in its own savepoint, so a row that fails leaves nothing
behind, not its listing nor its tags.
"""

from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import models, transaction
from django.db.models import QuerySet
from django.utils.functional import Promise
from django.utils.text import slugify
from django.utils.translation import gettext as _
from import_export import fields, resources, widgets
from import_export.instance_loaders import CachedInstanceLoader
from import_export.results import Result, RowResult

from catalogue.completeness import missing_to_publish
from catalogue.models import Infrastructure, InfrastructureStatus, Lifecycle

from ..widgets import (
    ContextWidget,
    LifecycleWidget,
    clean_email,
    clean_phone,
    first_sentence,
    normalise,
)
from .context import KEY_FROM_NAME, ROW_NUMBER, ImportContext

Row = dict[str, Any]
# A text cell starting with one of these is a formula to Excel, LibreOffice and
# Google Sheets (a CSV opened in them as much as an XLSX): OWASP's "CSV
# injection". A quote in front makes the cell plain text.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralised(value: object) -> object:
    """``value``, with a quote in front if it is text that would start a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return f"'{value}"
    return value


def record_key(value: object) -> str:
    """A record's key as its cell gives it: a slug, as in the portal's addresses."""
    return slugify(str(value or ""))[:200]


class NoDiff:
    """The admin's field-by-field diff is not shown; skipping it saves reading
    every field twice per row (``skip_unchanged`` still compares the rows)."""

    def __init__(self, resource: object, instance: object, new: bool) -> None:
        pass

    def compare_with(self, resource: object, instance: object) -> None:
        pass

    def as_html(self) -> list[str]:
        return []


class CatalogueResource(resources.ModelResource):
    """What the catalogue's resources share: the context, per-row savepoints,
    duplicate rows and the importer's regions."""

    key_columns: tuple[str, ...] = ()
    # The column naming the listing a row belongs to (services, equipment).
    listing_column = ""
    # Columns ``prepare`` may fill although the file has none.
    derived_columns: tuple[str, ...] = ()
    # The instance the current row saved, if any.
    _saved: Any = None
    export_select_related: tuple[str, ...] = ()
    export_prefetch_related: tuple[str, ...] = ()

    def __init__(self, context: ImportContext | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._context = context
        for resource_field in self.fields.values():
            if isinstance(resource_field.widget, ContextWidget):
                resource_field.widget.bind(context)

    @property
    def context(self) -> ImportContext:
        """The running import's context (an export has none)."""
        if self._context is None:
            raise RuntimeError("This resource imports only with an ImportContext.")
        return self._context

    @classmethod
    def prepare(cls, row: Row) -> Row:
        """Fill in the row's key before the instance loader reads it."""
        return row

    # --- Exports --------------------------------------------------------------

    def filter_export(self, queryset: Any, **kwargs: Any) -> Any:
        if not isinstance(queryset, QuerySet):
            return queryset
        return queryset.select_related(*self.export_select_related).prefetch_related(
            *self.export_prefetch_related
        )

    def export_field(
        self, field: fields.Field, instance: models.Model, **kwargs: Any
    ) -> object:
        """Every exported cell, public or admin, CSV or XLSX, passes here: text
        that a spreadsheet would run as a formula is neutralised; numbers stay
        numbers."""
        value = super().export_field(field, instance, **kwargs)
        if isinstance(field.widget, widgets.NumberWidget):
            return value
        return neutralised(value)

    # --- Imports --------------------------------------------------------------

    def before_import_row(self, row: Row, **kwargs: Any) -> None:
        key = tuple(
            str(row.get(column) or "").casefold() for column in self.key_columns
        )
        if not all(key):
            return
        first = self.context.seen.setdefault(key, row[ROW_NUMBER])
        if first != row[ROW_NUMBER]:
            raise ValidationError(
                _("The same record as row %(row)s; this row was left out.")
                % {"row": first}
            )

    def region_of(self, instance: Any) -> str | None:
        infrastructure = getattr(instance, "infrastructure", None)
        return infrastructure.region_id if infrastructure else None

    def import_instance(self, instance: Any, row: Row, **kwargs: Any) -> None:
        errors: dict[str, Any] = {}
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        for code in {instance._region_before_import, self.region_of(instance)}:
            if code and not self.context.may_write(code):
                errors.setdefault(NON_FIELD_ERRORS, []).append(
                    _("Region %(code)s is not one of your regions.") % {"code": code}
                )
        if errors:
            raise ValidationError(errors)

    def after_init_instance(
        self, instance: Any, new: bool, row: Row, **kwargs: Any
    ) -> None:
        instance._region_before_import = None if new else self.region_of(instance)
        instance._new_in_import = new

    def save_m2m(self, instance: Any, row: Row, **kwargs: Any) -> None:
        """Tags of a new record are inserted at once: it has none to compare."""
        if not instance._new_in_import:
            return super().save_m2m(instance, row, **kwargs)
        for resource_field in self.get_import_fields():
            if not isinstance(resource_field.widget, widgets.ManyToManyWidget):
                continue
            if resource_field.column_name not in row:
                continue
            related = getattr(instance, resource_field.attribute)
            related.through.objects.bulk_create(
                related.through(
                    **{
                        f"{related.source_field_name}_id": instance.pk,
                        f"{related.target_field_name}_id": concept.pk,
                    }
                )
                for concept in resource_field.clean(row)
            )

    def get_diff_class(self) -> type[NoDiff]:
        return NoDiff

    def validate_instance(
        self,
        instance: Any,
        import_validation_errors: dict[str, Any] | None = None,
        validate_unique: bool = False,
    ) -> None:
        errors = dict(import_validation_errors or {})
        # The widgets found every related object; checking again that each exists
        # would cost a query per relation and row.
        found = {
            field.name
            for field in instance._meta.concrete_fields
            if field.many_to_one and getattr(instance, field.attname) is not None
        }
        # Uniqueness and check constraints are left to the database, which
        # checks them on saving; a violation is reported with the constraint's
        # message (see import_row) instead of costing queries on every row.
        try:
            instance.full_clean(
                exclude=set(errors) | found,
                validate_unique=False,
                validate_constraints=False,
            )
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        if errors:
            raise ValidationError(errors)

    def before_save_instance(self, instance: Any, row: Row, **kwargs: Any) -> None:
        # The change history is written for the whole chunk at once (after_import),
        # as the importer's change.
        instance.skip_history_when_saving = True
        instance._history_user = self.context.user

    def after_save_instance(self, instance: Any, row: Row, **kwargs: Any) -> None:
        self._saved = instance

    def after_import(self, dataset: Any, result: Result, **kwargs: Any) -> None:
        super().after_import(dataset, result, **kwargs)
        history = getattr(self._meta.model, "history", None)
        if history is None or self._is_dry_run(kwargs):
            return
        for update, instances in ((False, self._created), (True, self._updated)):
            if instances:
                history.bulk_history_create(
                    instances,
                    update=update,
                    default_user=self.context.user,
                    default_change_reason=_("Imported from a spreadsheet"),
                )

    def explain(self, error: Exception) -> ValidationError:
        """The message for a row the database refused: the violated constraint's
        own message if it has one."""
        constraint = getattr(getattr(error, "__cause__", None), "diag", None)
        name = getattr(constraint, "constraint_name", None)
        for candidate in self._meta.model._meta.constraints:
            if name and candidate.name == name:
                return ValidationError(candidate.get_violation_error_message())
        return ValidationError(
            _("This row could not be saved: %(error)s") % {"error": error}
        )

    def import_data_inner(self, dataset: Any, *args: Any, **kwargs: Any) -> Result:
        self._created: list[models.Model] = []
        self._updated: list[models.Model] = []
        return super().import_data_inner(dataset, *args, **kwargs)

    def import_row(self, row: Row, instance_loader: Any, **kwargs: Any) -> RowResult:
        """Import one row inside the savepoint django-import-export opens for it;
        roll the savepoint back if the row fails, so that nothing of it stays."""
        self._saved = None
        row_result = super().import_row(row, instance_loader, **kwargs)
        if row_result.import_type in (
            RowResult.IMPORT_TYPE_INVALID,
            RowResult.IMPORT_TYPE_ERROR,
        ):
            transaction.set_rollback(True)
            if row_result.errors:
                # Reported like invalid data, so that the other rows are imported.
                error = row_result.errors[0].error
                row_result.errors = []
                row_result.validation_error = self.explain(error)
                row_result.import_type = RowResult.IMPORT_TYPE_INVALID
        elif self._saved is not None:
            new = row_result.import_type == RowResult.IMPORT_TYPE_NEW
            (self._created if new else self._updated).append(self._saved)
            saved = self._saved
            # What catalogue.services is told at the end (see import_job_run).
            self.context.touched.add(getattr(saved, "infrastructure_id", saved.pk))
        self.context.record(row[ROW_NUMBER], row_result)
        return row_result

    class Meta:
        skip_unchanged = True
        report_skipped = True
        clean_model_instances = True
        use_transactions = True
        skip_html_diff = True
        instance_loader_class = CachedInstanceLoader


def _blank(value: object) -> bool:
    return value is None or str(value).strip() == ""


class ListingRows(CatalogueResource):
    """Rows that create or update listings: new ones land as drafts or pending
    review, never published. A row needs only a name and a region: a new listing
    that lacks what publishing needs (host, city, summary, contact email), or
    whose infrastructure is not operational yet, lands as a draft for its staff
    to complete. A blank cell never erases what a listing already has. What a
    change to a published one means for its review is catalogue.services' to
    decide, once the rows are written."""

    # The columns holding e-mail addresses and telephone numbers, cleaned.
    email_columns: tuple[str, ...] = ("contact_email",)
    phone_columns: tuple[str, ...] = ("contact_phone",)
    # Columns whose blank cell leaves a recommended part missing.
    recommended_columns: tuple[tuple[str, str | Promise], ...] = ()

    def region_of(self, instance: Any) -> str | None:
        return instance.region_id

    def get_instance(self, instance_loader: Any, row: Row) -> Any:
        """The listing the row's key names. A key made from the row's name that
        names a listing no import wrote is another listing of the same name: a
        possible duplicate, or a new listing with the next free key once the
        importer accepts possible duplicates."""
        instance = super().get_instance(instance_loader, row)
        if (
            instance is None
            or not row.get(KEY_FROM_NAME)
            or self.context.imported_before(instance.pk)
        ):
            return instance
        if self.context.accept_duplicates:
            column = self.key_columns[0]
            row[column] = self.context.free_key(row[column])
            return None
        instance._same_name_as = (instance.pk, instance.name)
        return instance

    def before_import_row(self, row: Row, **kwargs: Any) -> None:
        super().before_import_row(row, **kwargs)
        for column in self.email_columns:
            if row.get(column):
                cleaned = clean_email(row[column])
                if cleaned != str(row[column]).strip():
                    self.context.report_cleaned(
                        "email" if cleaned else "email_dropped", row
                    )
                row[column] = cleaned
        for column in self.phone_columns:
            if row.get(column):
                cleaned = clean_phone(row[column])
                if cleaned != str(row[column]).strip():
                    self.context.report_cleaned("phone", row)
                row[column] = cleaned

    def after_init_instance(
        self, instance: Any, new: bool, row: Row, **kwargs: Any
    ) -> None:
        super().after_init_instance(instance, new, row, **kwargs)
        if new:
            instance.status = self.context.new_status

    def skip_row(
        self,
        instance: Any,
        original: Any,
        row: Row,
        import_validation_errors: dict[str, Any] | None = None,
    ) -> bool:
        # Blank cells leave an existing listing's values (tags included) as they
        # are, so they do not count as changes either.
        if not instance._new_in_import:
            row = {key: value for key, value in row.items() if not _blank(value)}
        return super().skip_row(instance, original, row, import_validation_errors)

    def import_field(
        self,
        field: fields.Field,
        instance: Any,
        row: Row,
        is_m2m: bool = False,
        **kwargs: Any,
    ) -> None:
        """A blank cell leaves an existing listing's value as it is: a mapping
        exercise's file must not erase what the listing's staff completed."""
        if (
            not instance._new_in_import
            and field.column_name in row
            and _blank(row[field.column_name])
        ):
            return
        super().import_field(field, instance, row, is_m2m=is_m2m, **kwargs)

    def import_instance(self, instance: Any, row: Row, **kwargs: Any) -> None:
        super().import_instance(instance, row, **kwargs)
        self._lifecycle(instance, row)
        if not instance.summary and instance.description:
            instance.summary = first_sentence(instance.description)
            instance.summary_from_description = True
        existing = getattr(instance, "_same_name_as", None)
        if instance._new_in_import and not self.context.accept_duplicates:
            host = instance.host.name if instance.host_id else ""
            existing = self.context.existing_listing(instance.name, instance.city, host)
        if existing:
            self.context.report_duplicate(row, existing)
            raise ValidationError(
                _(
                    "Possibly the same listing as “%(name)s”, already in the "
                    "catalogue; left out unless you import possible duplicates."
                )
                % {"name": existing[1]},
                code="duplicate",
            )
        required = missing_to_publish(instance)
        if instance._new_in_import and (
            required or instance.lifecycle != Lifecycle.OPERATIONAL
        ):
            instance.status = InfrastructureStatus.DRAFT
        missing = required + [
            str(label)
            for label, blank in (
                (_("description"), not instance.description),
                (_("website"), not instance.website),
                (_("coordinates"), instance.latitude is None),
                *(
                    (label, not str(row.get(column) or "").strip())
                    for column, label in self.recommended_columns
                ),
            )
            if blank
        ]
        if missing:
            self.context.report_incomplete(row, instance.name, missing)

    def _lifecycle(self, instance: Any, row: Row) -> None:
        """Keep the source's own words of a lifecycle that is not plain
        "operational"; report status text that says nothing known."""
        text = " ".join(str(row.get(self.lifecycle_column) or "").split())
        if not text:
            return
        code = LifecycleWidget().clean(text)
        if code is None:
            statuses = {normalise(str(label)) for label in InfrastructureStatus.labels}
            if normalise(text) not in statuses | set(InfrastructureStatus.values):
                self.context.report_unmatched(self.lifecycle_column, text, row)
            return
        if normalise(text) != normalise(str(Lifecycle(code).label)):
            instance.lifecycle_note = text[:120]

    lifecycle_column = "lifecycle"


class InfrastructureKeyWidget(widgets.ForeignKeyWidget):
    """An infrastructure by its key (the slug in the portal's address)."""

    def __init__(self) -> None:
        super().__init__(Infrastructure, field="slug")

    def clean(
        self, value: object, row: Row | None = None, **kwargs: Any
    ) -> Infrastructure | None:
        key = record_key(value)
        if not key:
            return None
        found = Infrastructure.objects.filter(slug=key).first()
        if found is None:
            raise ValueError(
                _("No infrastructure has the key “%(key)s”.") % {"key": value}
            )
        return found
