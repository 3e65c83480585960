from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccessConfig(AppConfig):
    name = "access"
    verbose_name = _("Access requests")

    def ready(self) -> None:
        from accounts import personal_data

        from . import personal_data as access_data
        from .services import requester_forget

        personal_data.register(
            sections={
                "access_requests": access_data.access_requests_export,
                "shortlist": access_data.shortlist_export,
            },
            erase=requester_forget,
        )
