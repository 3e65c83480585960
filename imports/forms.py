from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts import permissions
from accounts.models import User
from catalogue.models import Infrastructure, Region

from .models import ColumnMapping, ImportJob, ImportKind, NewListingStatus
from .services import mappable_fields, missing_fields


class RegionChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, region: Region) -> str:
        return f"{region.display_name} ({region.code})"


class ImportUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Spreadsheet"),
        help_text=_(
            "CSV (UTF-8 or Windows-1252, comma or semicolon separated) or Excel "
            ".xlsx, with the column names in the first row; at most 20 MB."
        ),
    )
    kind = forms.ChoiceField(label=_("Records in the file"), choices=ImportKind.choices)
    region = RegionChoiceField(
        label=_("Region"),
        queryset=Region.objects.none(),
        help_text=_(
            "Every row must lie in this region or below it. Rows without a region, "
            "and UNIQUIP facilities, are placed here."
        ),
    )
    new_status = forms.ChoiceField(
        label=_("New listings become"),
        choices=NewListingStatus.choices,
        initial=NewListingStatus.PENDING,
        widget=forms.RadioSelect,
        help_text=_(
            "Imported listings are never published directly. New listings that "
            "lack a host, city, summary or contact email, or that are not "
            "operational yet, become drafts for their staff to complete."
        ),
    )
    infrastructure = forms.SlugField(
        label=_("Equipment of the listing"),
        required=False,
        max_length=220,
        help_text=_(
            "For equipment files: the key of the listing (the last part of its "
            "address, e.g. nanofab-lab) that rows naming no facility belong to."
        ),
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        region = self.fields["region"]
        assert isinstance(region, forms.ModelChoiceField)
        region.queryset = Region.objects.filter(
            permissions.administered_q(user, "")
        ).order_by("code")

    def clean_infrastructure(self) -> Infrastructure | None:
        key = self.cleaned_data.get("infrastructure")
        if not key:
            return None
        found = Infrastructure.objects.filter(slug=key).first()
        if found is None:
            raise forms.ValidationError(
                _("No listing has the key “%(key)s”."), params={"key": key}
            )
        return found


class ColumnMappingForm(forms.Form):
    """One choice per column of the file: the field it fills, or none."""

    save_as = forms.CharField(
        label=_("Save this mapping as"),
        max_length=100,
        required=False,
        help_text=_(
            "A name to reuse this mapping for the next file from this region; "
            "an existing mapping with this name is replaced."
        ),
    )

    def __init__(
        self,
        *args: Any,
        job: ImportJob,
        initial_mapping: dict[str, str],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.job = job
        choices = [("", _("(leave out)")), *mappable_fields(job.kind)]
        self.column_fields = []
        for index, column in enumerate(job.columns):
            name = f"column_{index}"
            self.fields[name] = forms.ChoiceField(
                label=column,
                choices=choices,
                required=False,
                initial=initial_mapping.get(column, ""),
            )
            self.column_fields.append((column, name))
        self.order_fields([name for _column, name in self.column_fields])

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        targets = [data.get(name) for _column, name in self.column_fields]
        chosen = [target for target in targets if target]
        twice = sorted({target for target in chosen if chosen.count(target) > 1})
        if twice:
            labels = dict(mappable_fields(self.job.kind))
            raise forms.ValidationError(
                _("Each field can be filled from one column only: %(fields)s.")
                % {"fields": ", ".join(str(labels[target]) for target in twice)}
            )
        missing = missing_fields(self.job.kind, chosen)
        if missing:
            raise forms.ValidationError(
                _("Choose the column for: %(fields)s.") % {"fields": ", ".join(missing)}
            )
        return data

    def mapped_columns(self) -> dict[str, str]:
        return {
            column: self.cleaned_data[name]
            for column, name in self.column_fields
            if self.cleaned_data.get(name)
        }


class SavedMappingForm(forms.Form):
    """Start from a mapping saved earlier for the region."""

    mapping = forms.ModelChoiceField(
        label=_("Saved mapping"), queryset=ColumnMapping.objects.none()
    )

    def __init__(self, *args: Any, job: ImportJob, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        mapping = self.fields["mapping"]
        assert isinstance(mapping, forms.ModelChoiceField)
        mapping.queryset = ColumnMapping.objects.usable_by(user).filter(kind=job.kind)
