import pytest
from django.core.management import call_command
from django.db import transaction


@pytest.fixture(scope="package", autouse=True)
def demo_catalogue(django_db_setup, django_db_blocker):
    """The demo catalogue, loaded once for the tests of this folder (it takes most
    of a minute) inside a transaction that is rolled back after them; each test
    runs in its own savepoint within it, so one test's changes stay its own."""
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            call_command("load_demo", verbosity=0)
            yield
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
