import pytest

from notifications.models import OutgoingEmail


@pytest.fixture(autouse=True)
def _private_files(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "private": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "private")},
        },
    }


@pytest.fixture
def queued():
    """The emails queued so far, as (recipients, subject) pairs, oldest first."""

    def emails() -> list[tuple[list[str], str]]:
        return [
            (email.to, email.subject) for email in OutgoingEmail.objects.order_by("pk")
        ]

    return emails
