"""UNIQUIP, the UK equipment data standard: one CSV of facility rows (the
catalogue's infrastructures) and equipment rows, in UNIQUIP's own columns."""

import hashlib
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from import_export import fields

from catalogue.models import Equipment, Infrastructure

from ..widgets import HostWidget, first_sentence, normalise
from .base import (
    CatalogueResource,
    InfrastructureKeyWidget,
    ListingRows,
    Row,
    record_key,
)
from .context import KEY_FROM_NAME

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


def derived_id(row: Row) -> str:
    """A stable ID for a record that has none: a hash of its listing, name and
    location, the same on every import of the same row."""
    parts = [
        record_key(row.get("Related Facility ID")),
        normalise(str(row.get("Name") or "")),
        *(
            normalise(str(row.get(column) or ""))
            for column in ("Location", "Site Location", "Building")
        ),
    ]
    digest = hashlib.sha256("|".join(parts).encode()).hexdigest()
    return f"h-{digest[:20]}"


def _uniquip(column: str, attribute: str | None = None, **kwargs: Any) -> fields.Field:
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
    def prepare(cls, row: Row) -> Row:
        row["ID"] = str(row.get("ID") or "").strip()
        return row


class UniquipFacilityResource(ListingRows, UniquipResource):
    """A UNIQUIP facility row is an infrastructure; its ID becomes the key."""

    export_select_related = ("host",)
    email_columns = ("Contact Email",)
    phone_columns = ("Contact Telephone",)
    lifecycle_column = ""

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

    derived_columns = (KEY_FROM_NAME,)

    @classmethod
    def prepare(cls, row: Row) -> Row:
        row[KEY_FROM_NAME] = "" if record_key(row.get("ID")) else "1"
        row["ID"] = record_key(row.get("ID") or row.get("Name"))
        return row

    def dehydrate_type(self, infrastructure: Infrastructure) -> str:
        return FACILITY

    def after_init_instance(
        self, instance: Any, new: bool, row: Row, **kwargs: Any
    ) -> None:
        super().after_init_instance(instance, new, row, **kwargs)
        if new:
            instance.region_id = self.context.region_code("")


class UniquipEquipmentResource(UniquipResource):
    """A UNIQUIP equipment row is an equipment item, keyed by its UNIQUIP ID: the
    file's, or else one derived from the item's listing, name and location, so
    that importing the same file again updates the items it made."""

    export_select_related = ("infrastructure",)
    listing_column = "Related Facility ID"
    derived_columns = ("Name",)

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

    @classmethod
    def prepare(cls, row: Row) -> Row:
        row = super().prepare(row)
        if not str(row.get("Name") or "").strip():
            # Partial files name the item in its description.
            row["Name"] = first_sentence(str(row.get("Description") or ""), 200)
        if not row["ID"] and row["Name"]:
            row["ID"] = derived_id(row)
        return row

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

    def import_instance(self, instance: Any, row: Row, **kwargs: Any) -> None:
        errors: dict[str, Any] = {}
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
            self.context.equipment_category(instance, row, "Technique")
        if not instance.slug:
            name, key = (
                record_key(instance.name)[:150],
                record_key(instance.uniquip_id)[:60],
            )
            instance.slug = f"{name}-{key}"


class UniquipCatalogueResource(UniquipFacilityResource):
    """Infrastructures as UNIQUIP: each one's facility row, then the equipment."""

    class Meta(UniquipFacilityResource.Meta):
        name = gettext_lazy("UNIQUIP facilities and equipment")

    def export(self, queryset: Any = None, **kwargs: Any) -> Any:
        facilities = super().export(queryset, **kwargs)
        equipment = Equipment.objects.filter(infrastructure__in=queryset)
        return facilities.stack(
            UniquipEquipmentResource().export(
                equipment.select_related("infrastructure").order_by(
                    "infrastructure__name", "order", "name"
                )
            )
        )
