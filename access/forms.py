from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.urls import reverse_lazy
from django.utils.functional import lazy
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from catalogue.models import Infrastructure
from core.forms import model_choice_field
from core.uploads import clean_image, clean_pdf

from .models import MAX_MESSAGE_LENGTH, MAX_NEED_LENGTH, AccessRequest, Message
from .services import TRANSITIONS

ATTACHMENT_MAX_BYTES = 10 * 1024 * 1024
_privacy_label = lazy(
    lambda: format_html(
        '{} <a href="{}">{}</a>',
        _("I have read the"),
        reverse_lazy("access:privacy"),
        _("privacy notice"),
    ),
    str,
)


def clean_attachment(upload: UploadedFile | None):
    """A PDF as sent, or an image re-encoded without its metadata."""
    if not upload:
        return None
    upload.seek(0)
    if upload.read(5) == b"%PDF-":
        return clean_pdf(upload, max_bytes=ATTACHMENT_MAX_BYTES)
    try:
        return clean_image(upload)
    except ValidationError as error:
        if error.code == "not_an_image":
            raise ValidationError(
                _("Attach a PDF document or a JPEG, PNG or WebP image."),
                code="attachment_type",
            ) from None
        raise


class AccessRequestForm(forms.ModelForm):
    """What an SME asks for. ``website`` is a trap for robots: people never see it."""

    website = forms.CharField(
        label=_("Leave this field empty"), required=False, max_length=200
    )
    attachment = forms.FileField(
        label=_("Attachment (optional)"),
        required=False,
        help_text=_("A PDF or an image, at most 10 MB: a drawing, a specification."),
        widget=forms.ClearableFileInput(
            attrs={"accept": "application/pdf,image/jpeg,image/png,image/webp"}
        ),
    )

    class Meta:
        model = AccessRequest
        fields = [
            "need",
            "service",
            "equipment",
            "timeframe",
            "budget_band",
            "company_name",
            "contact_name",
            "contact_email",
            "contact_phone",
            "consent_share",
            "privacy_accepted",
        ]
        widgets = {"need": forms.Textarea(attrs={"rows": 6})}
        help_texts = {
            "need": _(
                "What you want to make, test or measure, with what materials or "
                "samples, and what result you need."
            ),
        }
        labels = {
            "service": _("Service (optional)"),
            "equipment": _("Equipment (optional)"),
            "contact_phone": _("Phone (optional)"),
        }

    def __init__(
        self,
        *args,
        infrastructures: list[Infrastructure],
        user: User | None = None,
        **kwargs,
    ) -> None:
        super().__init__(*args, **kwargs)
        need = self.fields["need"]
        assert isinstance(need, forms.CharField)
        need.max_length = MAX_NEED_LENGTH
        self.fields["need"].widget.attrs["maxlength"] = MAX_NEED_LENGTH
        self.fields["consent_share"].required = True
        self.fields["privacy_accepted"].required = True
        self.fields["consent_share"].label = (
            _(
                "I agree that this request, with my contact details, is shared with the infrastructure"
            )
            if len(infrastructures) == 1
            else _(
                "I agree that this request, with my contact details, is shared with these infrastructures"
            )
        )
        self.fields["privacy_accepted"].label = _privacy_label()
        if len(infrastructures) == 1:
            (infrastructure,) = infrastructures
            choices = {
                "service": infrastructure.services.order_by("order", "name"),
                "equipment": infrastructure.equipment.order_by("order", "name"),
            }
            for name, queryset in choices.items():
                if queryset.exists():
                    model_choice_field(self, name).queryset = queryset
                else:
                    del self.fields[name]
        else:
            del self.fields["service"], self.fields["equipment"]
        if user is not None:
            # Signed in: the account says who is asking.
            self.fields["contact_email"].disabled = True
        self.fields["website"].widget.attrs.update(
            {"tabindex": "-1", "autocomplete": "off"}
        )

    def clean_website(self) -> str:
        if self.cleaned_data["website"]:
            raise ValidationError(
                _("This request looks automated and was not sent."), code="honeypot"
            )
        return ""

    def clean_attachment(self):
        return clean_attachment(self.cleaned_data.get("attachment"))

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        if cleaned.get("service") and cleaned.get("equipment"):
            self.add_error(
                "equipment",
                _("Choose a service or a piece of equipment, not both."),
            )
        return cleaned

    def request_data(self) -> dict:
        """The cleaned fields that a request stores, for the service."""
        return {
            name: value
            for name, value in self.cleaned_data.items()
            if name not in ("website", "attachment")
        }


class MessageForm(forms.ModelForm):
    attachment = forms.FileField(
        label=_("Attachment (optional)"),
        required=False,
        help_text=_("A PDF or an image, at most 10 MB."),
        widget=forms.ClearableFileInput(
            attrs={"accept": "application/pdf,image/jpeg,image/png,image/webp"}
        ),
    )

    class Meta:
        model = Message
        fields = ["body", "internal"]
        widgets = {"body": forms.Textarea(attrs={"rows": 4})}
        labels = {"internal": _("Internal note: only your colleagues see it")}
        help_texts = {"internal": ""}

    def __init__(self, *args, staff: bool, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        body = self.fields["body"]
        assert isinstance(body, forms.CharField)
        body.max_length = MAX_MESSAGE_LENGTH
        self.fields["body"].widget.attrs["maxlength"] = MAX_MESSAGE_LENGTH
        if not staff:
            del self.fields["internal"]

    def clean_attachment(self):
        return clean_attachment(self.cleaned_data.get("attachment"))


class TransitionForm(forms.Form):
    action = forms.ChoiceField(choices=[(action, action) for action in TRANSITIONS])
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=MAX_MESSAGE_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
