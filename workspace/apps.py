from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkspaceConfig(AppConfig):
    """The staff workspace: RII staff keep their listings current."""

    name = "workspace"
    verbose_name = _("Staff workspace")
