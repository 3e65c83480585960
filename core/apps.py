from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = "Core"

    def ready(self) -> None:
        from django.conf import settings
        from django.db.backends.signals import connection_created

        from . import (
            checks,  # noqa: F401  (registers the deployment checks)
            queries,
        )

        if settings.PORTAL_SLOW_QUERY_MS:
            connection_created.connect(queries.install)
