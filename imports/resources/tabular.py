"""The catalogue's own spreadsheets: infrastructures, services and equipment, a
column per field, keyed by slugs."""

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy
from import_export import fields, widgets
from import_export.instance_loaders import ModelInstanceLoader

from catalogue.models import (
    Equipment,
    Infrastructure,
    InfrastructureStatus,
    IPDefault,
    PriceBand,
    Service,
)

from ..widgets import (
    ChoiceWidget,
    ConceptsWidget,
    ConceptWidget,
    HostWidget,
    LifecycleWidget,
    RegionWidget,
    YesNoWidget,
    clean_coordinates,
    clean_url,
)
from .base import (
    CatalogueResource,
    InfrastructureKeyWidget,
    ListingRows,
    Row,
    record_key,
)
from .context import KEY_FROM_NAME


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


class InfrastructureResource(ListingRows):
    key_columns = ("slug",)
    derived_columns = (KEY_FROM_NAME,)
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
    lifecycle = _optional("lifecycle", LifecycleWidget())
    status = fields.Field(
        attribute="status",
        column_name="status",
        widget=ChoiceWidget(InfrastructureStatus),
        readonly=True,
    )
    recommended_columns = (
        ("kets", gettext_lazy("Key Enabling Technologies")),
        ("types", gettext_lazy("types")),
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
            "lifecycle",
            "status",
        )
        export_order = fields

    @classmethod
    def prepare(cls, row: Row) -> Row:
        row[KEY_FROM_NAME] = "" if record_key(row.get("slug")) else "1"
        row["slug"] = record_key(row.get("slug") or row.get("name"))
        if "website" in row:
            row["website"] = clean_url(row["website"])
        return clean_coordinates(row)


class InfrastructurePartResource(CatalogueResource):
    """Services and equipment: keyed by their infrastructure's key and their own."""

    key_columns = ("infrastructure", "slug")
    listing_column = "infrastructure"

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
    def prepare(cls, row: Row) -> Row:
        row["infrastructure"] = record_key(row.get("infrastructure"))
        row["slug"] = record_key(row.get("slug") or row.get("name"))
        return row

    def get_instance(self, instance_loader: Any, row: Row) -> Any:
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
    # A blank or unknown category is "other" (or what the technique names), and
    # reported: the item is kept for its staff to classify.
    category = fields.Field(
        attribute="category",
        column_name="category",
        widget=ConceptWidget("equipment_category", "category", required=False),
        saves_null_values=False,
    )
    access = _optional("access", ChoiceWidget(Equipment.Access))
    training_required = _optional("training_required", YesNoWidget())
    quantity = _optional("quantity", widgets.IntegerWidget())

    def import_instance(self, instance: Any, row: Row, **kwargs: Any) -> None:
        super().import_instance(instance, row, **kwargs)
        if not instance.category_id:
            self.context.equipment_category(instance, row, "technique")

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
