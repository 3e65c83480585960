from django.apps import AppConfig


def create_cache_table(sender, using: str = "default", **kwargs) -> None:
    """`migrate` also creates the table of the database cache (CACHES)."""
    from django.core.management import call_command

    call_command("createcachetable", database=using, verbosity=0)


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = "Portal"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        post_migrate.connect(create_cache_table, sender=self)
