from typing import Any

import pytest

from catalogue.models import Infrastructure
from tests.factories import (
    make_equipment,
    make_infrastructure,
    make_service,
    make_staff,
)


def form_data(response, **changes) -> dict:
    """What a browser would send back for the form on ``response``, with changes."""
    form = response.context["form"]
    data: dict[str, Any] = {}
    for name in form.fields:
        value = form[name].value()
        if isinstance(value, bool):
            if value:
                data[name] = "on"
        elif isinstance(value, list | tuple):
            data[name] = [str(item) for item in value]
        elif value is not None:
            data[name] = str(value)
    for name, value in changes.items():
        if value is None:
            data.pop(name, None)
        else:
            data[name] = value
    return data


@pytest.fixture
def listing(db) -> Infrastructure:
    """A published listing with a service and an equipment item."""
    rii = make_infrastructure(name="Imaging Centre", region="ITH55", kets=["AMN"])
    make_service(infrastructure=rii, name="Electron microscopy", slug="em")
    make_equipment(infrastructure=rii, name="Scanning electron microscope", slug="sem")
    return rii


@pytest.fixture
def editor(listing):
    return make_staff(infrastructure=listing, role="editor")


@pytest.fixture
def manager(listing):
    return make_staff(infrastructure=listing, role="manager")
