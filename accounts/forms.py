from typing import Any

from django import forms
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .models import CompanyMembership, Invitation, Organisation, User


class ProfileForm(forms.ModelForm):
    preferred_language = forms.ChoiceField(
        label=_("Preferred language"),
        choices=[("", _("No preference")), *settings.LANGUAGES],
        required=False,
        help_text=_("The language of the emails the portal sends you."),
    )

    class Meta:
        model = User
        fields = ["first_name", "last_name", "preferred_language"]


class CompanyChoice(models.TextChoices):
    EXISTING = "existing", _("A company registered on the portal")
    NEW = "new", _("A company not registered yet")
    NONE = "none", _("I do not work for a company")


class CompanyMembershipForm(forms.ModelForm):
    """Which company the user works for, and their role in it."""

    company_choice = forms.ChoiceField(
        label=_("You work for"),
        choices=CompanyChoice,
        widget=forms.RadioSelect,
        initial=CompanyChoice.EXISTING,
    )

    class Meta:
        model = CompanyMembership
        fields = ["company_choice", "organisation", "job_title"]
        labels = {"organisation": _("Registered company")}
        help_texts = {
            "organisation": _("Leave this empty when you add a new company below."),
            "job_title": _("For example: head of R&D, founder, process engineer."),
        }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        organisation = self.fields["organisation"]
        assert isinstance(organisation, forms.ModelChoiceField)
        organisation.queryset = Organisation.objects.filter(
            kind=Organisation.Kind.COMPANY
        ).order_by("name")
        organisation.required = False
        if self.instance.pk is None and not self.is_bound:
            self.initial["company_choice"] = CompanyChoice.NONE

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned_data = self.cleaned_data
        choice = cleaned_data.get("company_choice")
        if choice == CompanyChoice.EXISTING and not cleaned_data.get("organisation"):
            self.add_error("organisation", _("Choose your company."))
        return cleaned_data


class CompanyForm(forms.ModelForm):
    """A company that is not on the portal yet."""

    class Meta:
        model = Organisation
        fields = ["name", "country", "size_class", "registration_id", "vat_id"]
        labels = {"name": _("Company name")}
        help_texts = {
            "registration_id": _("Optional: the number in the business register."),
            "vat_id": _("Optional: with the country prefix, e.g. IT01234567890."),
        }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        countries = self.fields["country"].queryset  # type: ignore[attr-defined]
        self.fields["country"].queryset = countries.filter(level=0).order_by(  # type: ignore[attr-defined]
            "name_en", "name"
        )
        self.fields["size_class"].required = True

    def clean_vat_id(self) -> str:
        return "".join(self.cleaned_data["vat_id"].split()).upper()


class ProfileForms:
    """The profile page's forms, validated together: the person, their company
    and, when it is not registered yet, the new company."""

    def __init__(self, data=None, *, user: User) -> None:
        membership = (
            user.company_memberships.select_related("organisation")
            .order_by("created_at")
            .first()
        )
        self.person = ProfileForm(data, instance=user, prefix="person")
        self.membership = CompanyMembershipForm(
            data, instance=membership or CompanyMembership(user=user), prefix="member"
        )
        # Only required when the user adds a company: the browser must not insist.
        self.company = CompanyForm(
            data,
            instance=Organisation(kind=Organisation.Kind.COMPANY),
            prefix="company",
            use_required_attribute=False,
        )

    def is_valid(self) -> bool:
        valid = self.person.is_valid() & self.membership.is_valid()
        if self.company_choice == CompanyChoice.NEW:
            valid &= self.company.is_valid()
        return valid

    @property
    def company_choice(self) -> str | None:
        return self.membership.cleaned_data.get("company_choice")

    def chosen_company(self) -> Organisation | None:
        """The registered company, the new (unsaved) one, or None."""
        if self.company_choice == CompanyChoice.EXISTING:
            return self.membership.cleaned_data["organisation"]
        if self.company_choice == CompanyChoice.NEW:
            return self.company.instance
        return None


class InvitationForm(forms.ModelForm):
    class Meta:
        model = Invitation
        fields = ["email", "role"]
        help_texts = {
            "role": _(
                "Editors keep the listing up to date; managers can also invite "
                "colleagues."
            )
        }

    def __init__(self, *args, infrastructure, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.infrastructure = infrastructure

    def clean_email(self) -> str:
        email = self.cleaned_data["email"].strip().lower()
        if self.infrastructure.memberships.filter(user__email__iexact=email).exists():
            raise forms.ValidationError(
                _("This person is already on the staff of this infrastructure.")
            )
        return email


class AccountDeleteForm(forms.Form):
    password = forms.CharField(
        label=_("Your password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        help_text=_("To confirm that it is you who deletes the account."),
    )

    def __init__(self, *args, user: User, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError(_("This is not your password."))
        return password
