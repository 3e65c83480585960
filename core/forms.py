"""Form pieces every app's forms may use."""

from typing import Any

from django import forms


def model_choice_field(form: forms.BaseForm, name: str) -> forms.ModelChoiceField[Any]:
    """The field ``name`` of ``form``, one that picks model instances (a
    ``ModelChoiceField`` or ``ModelMultipleChoiceField``), to set its queryset."""
    field = form.fields[name]
    assert isinstance(field, forms.ModelChoiceField)
    return field
