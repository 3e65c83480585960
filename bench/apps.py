from django.apps import AppConfig


class BenchConfig(AppConfig):
    """The performance benchmark: a synthetic EU-scale catalogue and its timing."""

    name = "bench"
    verbose_name = "Benchmark"
