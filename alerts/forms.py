from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Frequency


class SaveSearchForm(forms.Form):
    name = forms.CharField(
        label=_("Name of the search"), max_length=120, required=False
    )
    frequency = forms.ChoiceField(
        label=_("Email me new matches"),
        choices=Frequency.choices,
        initial=Frequency.WEEKLY,
    )
    query = forms.CharField(widget=forms.HiddenInput, required=False, max_length=2000)


class FrequencyForm(forms.Form):
    frequency = forms.ChoiceField(label=_("Email alert"), choices=Frequency.choices)
