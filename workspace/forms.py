# Size: the edit forms of a listing, its services and equipment, and the base and
# fields they share (versioning, texts); the upload forms at its end are small.
import datetime
from decimal import Decimal
from typing import Any, cast

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Fieldset, Layout
from django import forms
from django.core import signing
from django.core.files.base import ContentFile
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Coalesce
from django.http import QueryDict
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

from accounts import permissions
from accounts.models import Organisation, OrganisationKind
from catalogue.models import Concept, Equipment, Infrastructure, Region, Service
from core import uploads
from core.forms import model_choice_field

from . import choices

HOST_KINDS = [
    OrganisationKind.UNIVERSITY,
    OrganisationKind.RTO,
    OrganisationKind.COMPANY,
    OrganisationKind.PUBLIC_BODY,
]
_TOKEN_SALT = "workspace.edit-token"
_UNKNOWN = "\0unknown"


def _plain(value: Any) -> Any:
    """A value as JSON keeps it, for comparing a field's values over time."""
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, list | tuple | set | models.QuerySet):
        return sorted(_plain(item) for item in value)
    if isinstance(value, Decimal):
        return str(value.normalize())
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


def _lf(value: Any) -> Any:
    if isinstance(value, str):
        return value.replace("\r\n", "\n").replace("\r", "\n")
    return value


class MultilineField(forms.CharField):
    """A textarea's text with LF line endings: browsers post CRLF, so without this
    every save of an untouched text would count as a change of it."""

    widget = forms.Textarea

    def to_python(self, value: Any) -> Any:
        return super().to_python(_lf(value))

    def has_changed(self, initial: Any, data: Any) -> bool:
        # Texts saved before (with CRLF) are unchanged when only their endings differ.
        return super().has_changed(_lf(initial), data)


def multiline(*names: str) -> dict[str, type[forms.Field]]:
    """``Meta.field_classes`` for the model's text fields ``names``."""
    return dict.fromkeys(names, MultilineField)


class _TokenField(forms.CharField):
    """The version the form was read at: a fresh one is no change of the object."""

    def has_changed(self, initial: Any, data: Any) -> bool:
        return False


class VersionedModelForm(forms.ModelForm):
    """An edit form that notices when someone else saved the object meanwhile.

    Its hidden ``edit_token`` carries, signed, the object's ``updated_at`` and the
    values of the form's fields as shown. If the object was saved since and some of
    those fields changed, the form is invalid: it names them with their current
    values, keeps what the user typed and carries a fresh token, so that submitting
    again applies the user's version deliberately. Changes to fields the form does
    not show (status, order) are no conflict.
    """

    edit_token = _TokenField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True  # the template's form tag has the token
        self.helper.render_hidden_fields = True
        self.conflicts: list[tuple[str, str]] = []
        if self.instance.pk is None:
            del self.fields["edit_token"]
            return
        self._saved = {
            name: _plain(
                self.instance._meta.get_field(name).value_from_object(self.instance)
            )
            for name in self.model_fields
        }
        self.fresh_token = signing.dumps(
            {"version": self.instance.updated_at.isoformat(), "values": self._saved},
            salt=_TOKEN_SALT,
            compress=True,
        )
        self.fields["edit_token"].initial = self.fresh_token

    @property
    def model_fields(self) -> list[str]:
        """The form's fields that are the model's (not its token or helpers)."""
        return [name for name in self.fields if name in (self._meta.fields or ())]

    @property
    def model_data(self) -> dict[str, Any]:
        """The cleaned values of the model's fields, for a service to apply."""
        return {name: self.cleaned_data[name] for name in self.model_fields}

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned_data = self.cleaned_data
        if self.instance.pk is None:
            return cleaned_data
        try:
            seen = signing.loads(cleaned_data.get("edit_token") or "", salt=_TOKEN_SALT)
        except signing.BadSignature:
            seen = {"version": None, "values": {}}
        if seen["version"] == self.instance.updated_at.isoformat():
            return cleaned_data
        changed = [
            name
            for name in self.model_fields
            if self._saved[name] != seen["values"].get(name, _UNKNOWN)
            and self._saved[name] != _plain(cleaned_data.get(name, _UNKNOWN))
        ]
        if changed:
            self._report_conflicts(changed)
        return cleaned_data

    def _report_conflicts(self, names: list[str]) -> None:
        for name in names:
            current = self._display(name)
            self.conflicts.append((str(self.fields[name].label), current))
            self.add_error(
                name,
                _("Someone else changed this meanwhile to: %(value)s")
                % {"value": current},
            )
        self.add_error(
            None,
            _(
                "Someone else saved this page after you opened it. Your version is "
                "kept below; the fields marked changed show theirs. Save again to "
                "apply your version."
            ),
        )
        # The next submission is made knowing the current version.
        # Bound to request.POST, or to a dict in tests; django-stubs says Mapping.
        data = cast("QueryDict | dict[str, Any]", self.data).copy()
        data[self.add_prefix("edit_token")] = self.fresh_token
        self.data = data

    def _display(self, name: str) -> str:
        """The saved value of field ``name`` as a person reads it."""
        field = self.instance._meta.get_field(name)
        value = getattr(self.instance, name)
        if field.many_to_many:
            text = ", ".join(str(item) for item in value.all())
        elif field.choices:
            text = str(getattr(self.instance, f"get_{name}_display")())
        elif isinstance(value, bool):
            text = str(_("Yes") if value else _("No"))
        else:
            text = "" if value is None else str(value)
        return Truncator(text).chars(200) or str(_("(empty)"))


class ConceptChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Concept) -> str:
        if obj.scheme == Concept.Scheme.KET and obj.collection != "2018":
            return _("%(label)s (2012 list)") % {"label": obj.label}
        if obj.parent is not None:
            return f"{obj.parent.label} › {obj.label}"
        return obj.label


class RegionChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Region) -> str:
        return f"{obj.code} – {obj.display_name}"


def _concepts(scheme: str) -> models.QuerySet:
    return Concept.objects.in_scheme(scheme).order_by("order", "label")


def _ket_choices(instance: Infrastructure | Service) -> models.QuerySet:
    """The 2018 KETs, and the 2012 ones ``instance`` still carries (kept on saving)."""
    offered = Q(collection="2018")
    if instance.pk:
        offered |= Q(pk__in=instance.kets.values("pk"))
    return (
        Concept.objects.in_scheme("ket")
        .filter(offered)
        .order_by("-collection", "order")
    )


class InfrastructureForm(VersionedModelForm):
    host = forms.ModelChoiceField(
        label=_("Host organisation"),
        queryset=Organisation.objects.filter(kind__in=HOST_KINDS).order_by("name"),
        help_text=_("Once the listing is saved, those of its country are listed."),
    )
    region = RegionChoiceField(
        label=_("Region"),
        queryset=Region.objects.order_by("code"),
        help_text=_("The NUTS region where it is located, at the most precise level."),
    )
    types = ConceptChoiceField(
        label=_("Types"),
        queryset=_concepts("rii_type"),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    kets = ConceptChoiceField(
        label=_("Key Enabling Technologies"),
        queryset=Concept.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    scientific_domains = ConceptChoiceField(
        label=_("Scientific domains"),
        queryset=Concept.objects.in_scheme("scientific_domain")
        .select_related("parent")
        .order_by(
            Coalesce("parent__order", "order"),
            F("parent").asc(nulls_first=True),
            "order",
        ),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    host_search = forms.CharField(
        label=_("Another host organisation"),
        required=False,
        max_length=200,
        help_text=_(
            "Not in the list? Type its name or part of it, then save: one match is "
            "chosen, several are added to the list for you to choose from."
        ),
    )
    region_search = forms.CharField(
        label=_("Another region"),
        required=False,
        max_length=200,
        help_text=_(
            "Not in the list? Type its NUTS code or name, then save: one match is "
            "chosen, several are added to the list for you to choose from."
        ),
    )
    languages = ConceptChoiceField(
        label=_("Languages spoken"),
        queryset=Concept.objects.in_scheme("language").order_by("label"),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    class Meta:
        model = Infrastructure
        fields = [
            "name",
            "acronym",
            "host",
            "summary",
            "description",
            "sme_offer",
            "access_policy",
            "website",
            "region",
            "city",
            "address",
            "latitude",
            "longitude",
            "types",
            "structure",
            "kets",
            "scientific_domains",
            "languages",
            "contact_email",
            "contact_name",
            "contact_phone",
            "lifecycle",
            "lifecycle_note",
        ]
        field_classes = multiline(
            "summary", "description", "sme_offer", "access_policy"
        )
        widgets = {
            "summary": forms.Textarea(attrs={"rows": 2}),
            "description": forms.Textarea(attrs={"rows": 8}),
            "sme_offer": forms.Textarea(attrs={"rows": 4}),
            "access_policy": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        model_choice_field(self, "kets").queryset = _ket_choices(self.instance)
        model_choice_field(self, "structure").queryset = _concepts("structure")
        # An import may leave these blank; the staff complete them here.
        for name in ("host", "summary", "city", "contact_email"):
            self.fields[name].required = True
        # Operational unless said otherwise (a form posted without it keeps that).
        self.fields["lifecycle"].required = False
        if self.instance.pk and self.instance.status != Infrastructure.Status.DRAFT:
            # A listing under review or published moves only where a partner admin
            # will review the move (see catalogue.services.infrastructure_update).
            region = model_choice_field(self, "region")
            region.queryset = Region.objects.filter(
                permissions.moderated_regions_q() | Q(pk=self.instance.region_id)
            ).order_by("code")
            region.help_text = _(
                "The NUTS region where it is located, at the most precise level. "
                "Moving it to a region with other partner admins sends it to them "
                "for review: it is offline until they approve it."
            )
        for narrowed in choices.NARROWED:
            choices.narrow(self, narrowed)
        self.helper.layout = Layout(
            Fieldset(_("Name and host"), "name", "acronym", "host", "host_search"),
            Fieldset(
                _("Description"),
                "summary",
                "description",
                "sme_offer",
                "access_policy",
                "website",
            ),
            Fieldset(
                _("Location"),
                "region",
                "region_search",
                "city",
                "address",
                "latitude",
                "longitude",
            ),
            Fieldset(
                _("Classification"),
                "types",
                "structure",
                "kets",
                "scientific_domains",
                "languages",
            ),
            Fieldset(_("Contact"), "contact_email", "contact_name", "contact_phone"),
            Fieldset(_("Operation"), "lifecycle", "lifecycle_note"),
        )

    def clean_lifecycle(self) -> str:
        return self.cleaned_data.get("lifecycle") or (
            self.instance.lifecycle or Infrastructure.Lifecycle.OPERATIONAL
        )

    def clean(self) -> dict[str, Any]:
        for narrowed in choices.NARROWED:
            choices.pick_searched(self, narrowed)
        return super().clean()


class ServiceForm(VersionedModelForm):
    kets = ConceptChoiceField(
        label=_("Key Enabling Technologies"),
        queryset=Concept.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    languages = ConceptChoiceField(
        label=_("Languages"),
        queryset=Concept.objects.in_scheme("language").order_by("label"),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    target_users = ConceptChoiceField(
        label=_("Target users"),
        queryset=_concepts("target_user"),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    class Meta:
        model = Service
        fields = [
            "name",
            "service_type",
            "description",
            "trl_from",
            "trl_to",
            "access_mode",
            "price_band",
            "sme_rate_available",
            "lead_time_days",
            "ip_default",
            "nda_available",
            "booking_url",
            "kets",
            "languages",
            "target_users",
        ]
        field_classes = multiline("description")
        widgets = {"description": forms.Textarea(attrs={"rows": 5})}

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        model_choice_field(self, "kets").queryset = _ket_choices(self.instance)
        model_choice_field(self, "service_type").queryset = _concepts("service_type")
        model_choice_field(self, "access_mode").queryset = _concepts("access_mode")
        for name in ("trl_from", "trl_to"):
            self.fields[name].widget.attrs.update(min=1, max=9)


class EquipmentForm(VersionedModelForm):
    class Meta:
        model = Equipment
        fields = [
            "name",
            "category",
            "description",
            "technique",
            "manufacturer",
            "model",
            "year_commissioned",
            "quantity",
            "access",
            "training_required",
            "services",
            "uniquip_id",
            "organisational_unit",
            "site_location",
            "building",
            "service_level",
            "web_address",
            "open_licence",
        ]
        field_classes = multiline("description")
        widgets = {
            "description": forms.Textarea(attrs={"rows": 5}),
            "services": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args, infrastructure: Infrastructure, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        model_choice_field(self, "category").queryset = _concepts("equipment_category")
        # Only the services of this listing: ids of others' services are invalid.
        services = model_choice_field(self, "services")
        services.queryset = infrastructure.services.order_by("order", "name")
        self.fields["services"].help_text = _("The services this equipment is used in.")


# --- Logo, photos, brochure ----------------------------------------------------

IMAGE_ACCEPT = "image/jpeg,image/png,image/webp"


class _UploadForm(forms.Form):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True


class LogoForm(_UploadForm):
    logo = forms.FileField(
        label=_("Logo"),
        help_text=_("JPEG, PNG or WebP, at most 5 MB."),
        widget=forms.FileInput(attrs={"accept": IMAGE_ACCEPT}),
    )

    def clean_logo(self) -> ContentFile:
        return uploads.clean_image(self.cleaned_data["logo"])


class PhotoForm(_UploadForm):
    image = forms.FileField(
        label=_("Photo"),
        help_text=_("JPEG, PNG or WebP, at most 5 MB."),
        widget=forms.FileInput(attrs={"accept": IMAGE_ACCEPT}),
    )
    alt_text = forms.CharField(
        label=_("Alternative text"),
        max_length=250,
        help_text=_("What the photo shows, for people who cannot see it."),
    )
    caption = forms.CharField(label=_("Caption"), max_length=250, required=False)

    def clean_image(self) -> ContentFile:
        return uploads.clean_image(self.cleaned_data["image"])


class BrochureForm(_UploadForm):
    brochure = forms.FileField(
        label=_("Brochure"),
        help_text=_("A PDF document, at most 10 MB."),
        widget=forms.FileInput(attrs={"accept": "application/pdf"}),
    )

    def clean_brochure(self) -> ContentFile:
        return uploads.clean_pdf(self.cleaned_data["brochure"])
