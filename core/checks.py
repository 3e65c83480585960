"""System checks of the deployment that Django's own do not cover."""

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, register
from django.utils.module_loading import import_string


@register()
def check_static_files_collected(**kwargs: Any) -> list[CheckMessage]:
    """With a manifest storage (DEBUG off), every page needs ``collectstatic``'s
    manifest: without it each page would be a 500."""
    storages: dict[str, Any] = settings.STORAGES
    backend = import_string(storages["staticfiles"]["BACKEND"])
    manifest_name = getattr(backend, "manifest_name", None)
    if settings.DEBUG or manifest_name is None:
        return []
    if (Path(settings.STATIC_ROOT) / manifest_name).is_file():
        return []
    return [
        Error(
            f"The static files are not collected: {manifest_name} is missing in "
            f"STATIC_ROOT ({settings.STATIC_ROOT}).",
            hint="Run `manage.py collectstatic --noinput` before starting the portal.",
            id="core.E001",
        )
    ]
