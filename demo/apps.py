from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo catalogue, its users and access requests (``manage.py load_demo``)."""

    name = "demo"
    verbose_name = "Demo data"
