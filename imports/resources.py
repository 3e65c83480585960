"""django-import-export resources: the catalogue's records as spreadsheet rows.

Each import runs with an ``ImportContext`` shared by its chunks: the vocabularies and
regions to match against, the regions the importer may write to, and the report
(counts, row errors, unmatched tags). Every row is written in its own savepoint, so
a row that fails leaves nothing behind, not its listing nor its tags.
"""

from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils.text import Truncator, slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from import_export import fields, resources, widgets
from import_export.instance_loaders import CachedInstanceLoader, ModelInstanceLoader
from import_export.results import RowResult

from catalogue.models import (
    Concept,
    Equipment,
    Infrastructure,
    InfrastructureStatus,
    IPDefault,
    PriceBand,
    Region,
    Service,
)

from .nuts import to_nuts2024
from .querysets import region_allowed
from .widgets import (
    ChoiceWidget,
    ConceptsWidget,
    ConceptWidget,
    ContextWidget,
    HostWidget,
    RegionWidget,
    YesNoWidget,
    normalise,
)

ROW_NUMBER = "_row"
MAX_REPORTED_ERRORS = 1000


@dataclass
class ImportContext:
    """What one import matches against, may write to, and reports."""

    allowed_regions: list[str] | None
    default_region: str
    new_status: str = InfrastructureStatus.PENDING
    user: object = None
    region_codes: set[str] = field(default_factory=set)
    vocabulary: dict[str, dict[str, Concept]] = field(default_factory=dict)
    seen: dict[tuple, int] = field(default_factory=dict)
    unmatched: dict[str, dict[str, set[int]]] = field(
        default_factory=lambda: defaultdict(lambda: defaultdict(set))
    )
    errors: list[dict] = field(default_factory=list)
    counts: Counter = field(default_factory=Counter)
    touched: set[int] = field(default_factory=set)

    @classmethod
    def load(cls, **kwargs) -> "ImportContext":
        context = cls(**kwargs)
        context.region_codes = set(Region.objects.values_list("code", flat=True))
        for concept in Concept.objects.order_by("-order"):
            terms = context.vocabulary.setdefault(concept.scheme, {})
            for name in [concept.code, *concept.alt_labels, concept.label]:
                terms[normalise(name)] = concept
        return context

    def concept(self, scheme: str, value: str) -> Concept | None:
        return self.vocabulary.get(scheme, {}).get(normalise(value))

    def region_code(self, value) -> str:
        """The NUTS 2024 code for a cell; blank means the import's region."""
        code = str(value or "").strip() or self.default_region
        return to_nuts2024(code, self.region_codes)

    def report_unmatched(self, column: str, value: str, row) -> None:
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

    def unmatched_report(self) -> dict[str, list[dict]]:
        return {
            column: [
                {"value": value, "rows": sorted(rows)[:20], "count": len(rows)}
                for value, rows in sorted(values.items())
            ]
            for column, values in self.unmatched.items()
        }


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


class NoDiff:
    """The admin's field-by-field diff is not shown; skipping it saves reading
    every field twice per row (``skip_unchanged`` still compares the rows)."""

    def __init__(self, resource, instance, new) -> None:
        pass

    def compare_with(self, resource, instance) -> None:
        pass

    def as_html(self) -> list:
        return []


class CatalogueResource(resources.ModelResource):
    """What the catalogue's resources share: the context, per-row savepoints,
    duplicate rows and the importer's regions."""

    key_columns: tuple[str, ...] = ()

    def __init__(self, context: ImportContext | None = None, **kwargs) -> None:
        super().__init__(**kwargs)
        self.context = context
        for resource_field in self.fields.values():
            if isinstance(resource_field.widget, ContextWidget):
                resource_field.widget.context = context

    @classmethod
    def prepare(cls, row: dict) -> dict:
        """Fill in the row's key before the instance loader reads it."""
        return row

    def before_import_row(self, row, **kwargs) -> None:
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

    def region_of(self, instance) -> str | None:
        infrastructure = getattr(instance, "infrastructure", None)
        return infrastructure.region_id if infrastructure else None

    def import_instance(self, instance, row, **kwargs) -> None:
        errors = {}
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        allowed = self.context.allowed_regions
        for code in {instance._region_before_import, self.region_of(instance)}:
            if code and not region_allowed(code, allowed):
                errors.setdefault(NON_FIELD_ERRORS, []).append(
                    _("Region %(code)s is not one of your regions.") % {"code": code}
                )
        if errors:
            raise ValidationError(errors)

    def after_init_instance(self, instance, new, row, **kwargs) -> None:
        instance._region_before_import = None if new else self.region_of(instance)
        instance._new_in_import = new

    def save_m2m(self, instance, row, **kwargs) -> None:
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

    def get_diff_class(self):
        return NoDiff

    def validate_instance(
        self, instance, import_validation_errors=None, validate_unique=False
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

    def before_save_instance(self, instance, row, **kwargs) -> None:
        # The change history is written for the whole chunk at once (after_import),
        # as the importer's change.
        instance.skip_history_when_saving = True
        instance._history_user = self.context.user

    def after_save_instance(self, instance, row, **kwargs) -> None:
        self._saved = instance

    def after_import(self, dataset, result, **kwargs) -> None:
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

    export_select_related: tuple[str, ...] = ()
    export_prefetch_related: tuple[str, ...] = ()

    def filter_export(self, queryset, **kwargs):
        if not isinstance(queryset, QuerySet):
            return queryset
        return queryset.select_related(*self.export_select_related).prefetch_related(
            *self.export_prefetch_related
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

    def import_data_inner(self, dataset, *args, **kwargs):
        self._created, self._updated = [], []
        return super().import_data_inner(dataset, *args, **kwargs)

    def import_row(self, row, instance_loader, **kwargs) -> RowResult:
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


def _key(value) -> str:
    return slugify(str(value or ""))[:200]


class InfrastructureKeyWidget(widgets.ForeignKeyWidget):
    """An infrastructure by its key (the slug in the portal's address)."""

    def __init__(self) -> None:
        super().__init__(Infrastructure, field="slug")

    def clean(self, value, row=None, **kwargs) -> Infrastructure | None:
        key = _key(value)
        if not key:
            return None
        found = Infrastructure.objects.filter(slug=key).first()
        if found is None:
            raise ValueError(
                _("No infrastructure has the key “%(key)s”.") % {"key": value}
            )
        return found


def _concepts(scheme: str, column: str) -> fields.Field:
    return fields.Field(
        attribute=column,
        column_name=column,
        widget=ConceptsWidget(scheme, column),
        m2m_add=False,
    )


def _concept(scheme: str, column: str, *, required: bool) -> fields.Field:
    return fields.Field(
        attribute=column,
        column_name=column,
        widget=ConceptWidget(scheme, column, required=required),
        saves_null_values=not required,
    )


def _optional(column: str, widget: widgets.Widget) -> fields.Field:
    """A field whose blank cell keeps the model's default."""
    return fields.Field(
        attribute=column, column_name=column, widget=widget, saves_null_values=False
    )


class ListingRows:
    """Rows that create or update listings: new ones land as drafts or pending
    review, never published; published ones changed are flagged for review."""

    def region_of(self, instance) -> str | None:
        return instance.region_id

    def after_init_instance(self, instance, new, row, **kwargs) -> None:
        super().after_init_instance(instance, new, row, **kwargs)
        if new:
            instance.status = self.context.new_status

    def before_save_instance(self, instance, row, **kwargs) -> None:
        super().before_save_instance(instance, row, **kwargs)
        if instance.status == InfrastructureStatus.PUBLISHED:
            # Shown at once, like staff edits, and flagged for the partner admin.
            instance.changed_since_review = True


class InfrastructureResource(ListingRows, CatalogueResource):
    key_columns = ("slug",)
    export_select_related = ("host", "region", "structure")
    export_prefetch_related = ("types", "kets", "scientific_domains", "languages")

    host = fields.Field(
        attribute="host", column_name="host", widget=HostWidget("region")
    )
    region = fields.Field(
        attribute="region", column_name="region", widget=RegionWidget()
    )
    types = _concepts("rii_type", "types")
    structure = _concept("structure", "structure", required=False)
    kets = _concepts("ket", "kets")
    scientific_domains = _concepts("scientific_domain", "scientific_domains")
    languages = _concepts("language", "languages")
    status = fields.Field(
        attribute="status",
        column_name="status",
        widget=ChoiceWidget(InfrastructureStatus),
        readonly=True,
    )

    class Meta(CatalogueResource.Meta):
        model = Infrastructure
        name = gettext_lazy("Infrastructures")
        import_id_fields = ["slug"]
        fields = (
            "slug",
            "name",
            "acronym",
            "host",
            "region",
            "address",
            "city",
            "latitude",
            "longitude",
            "website",
            "summary",
            "description",
            "types",
            "structure",
            "kets",
            "scientific_domains",
            "languages",
            "access_policy",
            "sme_offer",
            "contact_email",
            "contact_name",
            "contact_phone",
            "status",
        )
        export_order = fields

    @classmethod
    def prepare(cls, row: dict) -> dict:
        row["slug"] = _key(row.get("slug") or row.get("name"))
        return row


class InfrastructurePartResource(CatalogueResource):
    """Services and equipment: keyed by their infrastructure's key and their own."""

    key_columns = ("infrastructure", "slug")

    infrastructure = fields.Field(
        attribute="infrastructure",
        column_name="infrastructure",
        widget=InfrastructureKeyWidget(),
    )

    class Meta(CatalogueResource.Meta):
        # The cached loader handles single-column keys only.
        instance_loader_class = ModelInstanceLoader
        import_id_fields = ["infrastructure", "slug"]

    @classmethod
    def prepare(cls, row: dict) -> dict:
        row["infrastructure"] = _key(row.get("infrastructure"))
        row["slug"] = _key(row.get("slug") or row.get("name"))
        return row

    def get_instance(self, instance_loader, row):
        try:
            return super().get_instance(instance_loader, row)
        except ValueError as error:
            raise ValidationError({"infrastructure": str(error)}) from error


class ServiceResource(InfrastructurePartResource):
    export_select_related = ("infrastructure", "service_type", "access_mode")
    export_prefetch_related = ("kets", "languages", "target_users")
    service_type = _concept("service_type", "service_type", required=True)
    access_mode = _concept("access_mode", "access_mode", required=True)
    kets = _concepts("ket", "kets")
    languages = _concepts("language", "languages")
    target_users = _concepts("target_user", "target_users")
    price_band = _optional("price_band", ChoiceWidget(PriceBand))
    ip_default = _optional("ip_default", ChoiceWidget(IPDefault))
    sme_rate_available = _optional("sme_rate_available", YesNoWidget())
    nda_available = _optional("nda_available", YesNoWidget())

    class Meta(InfrastructurePartResource.Meta):
        model = Service
        name = gettext_lazy("Services")
        fields = (
            "infrastructure",
            "slug",
            "name",
            "description",
            "service_type",
            "kets",
            "trl_from",
            "trl_to",
            "access_mode",
            "price_band",
            "sme_rate_available",
            "lead_time_days",
            "ip_default",
            "nda_available",
            "languages",
            "booking_url",
            "target_users",
        )
        export_order = fields


class EquipmentResource(InfrastructurePartResource):
    export_select_related = ("infrastructure", "category")
    category = _concept("equipment_category", "category", required=True)
    access = _optional("access", ChoiceWidget(Equipment.Access))
    training_required = _optional("training_required", YesNoWidget())
    quantity = _optional("quantity", widgets.IntegerWidget())

    class Meta(InfrastructurePartResource.Meta):
        model = Equipment
        name = gettext_lazy("Equipment")
        fields = (
            "infrastructure",
            "slug",
            "name",
            "description",
            "category",
            "technique",
            "manufacturer",
            "model",
            "year_commissioned",
            "quantity",
            "training_required",
            "access",
            "uniquip_id",
            "organisational_unit",
            "site_location",
            "building",
            "service_level",
            "web_address",
            "open_licence",
        )
        export_order = fields


# UNIQUIP: the UK equipment data standard's CSV columns, facility and equipment rows.
UNIQUIP_COLUMNS = [
    "Type",
    "Name",
    "Description",
    "Related Facility ID",
    "Technique",
    "Location",
    "Contact Name",
    "Contact Telephone",
    "Contact URL",
    "Contact Email",
    "Secondary Contact Name",
    "Secondary Contact Telephone",
    "Secondary Contact URL",
    "Secondary Contact Email",
    "ID",
    "Photo",
    "Organisational Unit",
    "Site Location",
    "Building",
    "Service Level",
    "Web Address",
    "Open License",
]
FACILITY, EQUIPMENT = "facility", "equipment"


def _uniquip(column: str, attribute: str | None = None, **kwargs) -> fields.Field:
    return fields.Field(
        attribute=attribute, column_name=column, readonly=attribute is None, **kwargs
    )


class UniquipResource(CatalogueResource):
    """Every UNIQUIP column, in order; blank unless a subclass fills it."""

    type = _uniquip("Type")
    name = _uniquip("Name")
    description = _uniquip("Description")
    related_facility = _uniquip("Related Facility ID")
    technique = _uniquip("Technique")
    location = _uniquip("Location")
    contact_name = _uniquip("Contact Name")
    contact_telephone = _uniquip("Contact Telephone")
    contact_url = _uniquip("Contact URL")
    contact_email = _uniquip("Contact Email")
    secondary_name = _uniquip("Secondary Contact Name")
    secondary_telephone = _uniquip("Secondary Contact Telephone")
    secondary_url = _uniquip("Secondary Contact URL")
    secondary_email = _uniquip("Secondary Contact Email")
    id = _uniquip("ID")
    photo = _uniquip("Photo")
    organisational_unit = _uniquip("Organisational Unit")
    site_location = _uniquip("Site Location")
    building = _uniquip("Building")
    service_level = _uniquip("Service Level")
    web_address = _uniquip("Web Address")
    open_licence = _uniquip("Open License")

    key_columns = ("ID",)

    class Meta(CatalogueResource.Meta):
        fields = (
            "type",
            "name",
            "description",
            "related_facility",
            "technique",
            "location",
            "contact_name",
            "contact_telephone",
            "contact_url",
            "contact_email",
            "secondary_name",
            "secondary_telephone",
            "secondary_url",
            "secondary_email",
            "id",
            "photo",
            "organisational_unit",
            "site_location",
            "building",
            "service_level",
            "web_address",
            "open_licence",
        )
        export_order = fields
        import_id_fields = ["id"]

    @classmethod
    def prepare(cls, row: dict) -> dict:
        row["ID"] = str(row.get("ID") or "").strip()
        return row


class UniquipFacilityResource(ListingRows, UniquipResource):
    """A UNIQUIP facility row is an infrastructure; its ID becomes the key."""

    export_select_related = ("host",)

    name = _uniquip("Name", "name")
    description = _uniquip("Description", "description")
    location = _uniquip("Location", "city")
    contact_name = _uniquip("Contact Name", "contact_name")
    contact_telephone = _uniquip("Contact Telephone", "contact_phone")
    contact_email = _uniquip("Contact Email", "contact_email")
    id = _uniquip("ID", "slug")
    organisational_unit = _uniquip(
        "Organisational Unit", "host", widget=HostWidget("_region")
    )
    web_address = _uniquip("Web Address", "website")

    class Meta(UniquipResource.Meta):
        model = Infrastructure
        name = gettext_lazy("UNIQUIP facilities")

    @classmethod
    def prepare(cls, row: dict) -> dict:
        row["ID"] = _key(row.get("ID") or row.get("Name"))
        return row

    def dehydrate_type(self, infrastructure: Infrastructure) -> str:
        return FACILITY

    def after_init_instance(self, instance, new, row, **kwargs) -> None:
        super().after_init_instance(instance, new, row, **kwargs)
        if new:
            instance.region_id = self.context.region_code("")

    def import_instance(self, instance, row, **kwargs) -> None:
        super().import_instance(instance, row, **kwargs)
        if not instance.summary:
            # UNIQUIP has no one-line summary: the description's start stands in.
            instance.summary = Truncator(instance.description).chars(300)


class UniquipEquipmentResource(UniquipResource):
    """A UNIQUIP equipment row is an equipment item, keyed by its UNIQUIP ID."""

    export_select_related = ("infrastructure",)

    name = _uniquip("Name", "name")
    description = _uniquip("Description", "description")
    related_facility = _uniquip(
        "Related Facility ID", "infrastructure", widget=InfrastructureKeyWidget()
    )
    technique = _uniquip("Technique", "technique")
    id = _uniquip("ID", "uniquip_id")
    organisational_unit = _uniquip("Organisational Unit", "organisational_unit")
    site_location = _uniquip("Site Location", "site_location")
    building = _uniquip("Building", "building")
    service_level = _uniquip("Service Level", "service_level")
    web_address = _uniquip("Web Address", "web_address")
    open_licence = _uniquip("Open License", "open_licence")

    class Meta(UniquipResource.Meta):
        model = Equipment
        name = gettext_lazy("UNIQUIP equipment")

    def dehydrate_type(self, equipment: Equipment) -> str:
        return EQUIPMENT

    def dehydrate_location(self, equipment: Equipment) -> str:
        return equipment.infrastructure.city

    def dehydrate_contact_name(self, equipment: Equipment) -> str:
        return equipment.infrastructure.contact_name

    def dehydrate_contact_telephone(self, equipment: Equipment) -> str:
        return equipment.infrastructure.contact_phone

    def dehydrate_contact_email(self, equipment: Equipment) -> str:
        return equipment.infrastructure.contact_email

    def import_instance(self, instance, row, **kwargs) -> None:
        errors = {}
        if not row.get("ID"):
            errors["uniquip_id"] = [_("A UNIQUIP equipment record needs an ID.")]
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        if errors:
            raise ValidationError(errors)
        if not instance.category_id:
            # UNIQUIP has no category: the technique names one, or "other".
            category = self.context.concept("equipment_category", instance.technique)
            if category is None and instance.technique:
                self.context.report_unmatched("Technique", instance.technique, row)
            instance.category = category or self.context.concept(
                "equipment_category", "other"
            )
        if not instance.slug:
            name, key = _key(instance.name)[:150], _key(instance.uniquip_id)[:60]
            instance.slug = f"{name}-{key}"


class UniquipCatalogueResource(UniquipFacilityResource):
    """Infrastructures as UNIQUIP: each one's facility row, then the equipment."""

    class Meta(UniquipFacilityResource.Meta):
        name = gettext_lazy("UNIQUIP facilities and equipment")

    def export(self, queryset=None, **kwargs):
        facilities = super().export(queryset, **kwargs)
        equipment = Equipment.objects.filter(infrastructure__in=queryset)
        return facilities.stack(
            UniquipEquipmentResource().export(
                equipment.select_related("infrastructure").order_by(
                    "infrastructure__name", "order", "name"
                )
            )
        )
