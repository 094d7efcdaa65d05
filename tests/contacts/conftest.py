"""Fixtures the split test modules of `contacts` share; each module asks for them with `usefixtures`."""

import pytest

from tests.contacts.notification_helpers import BrokenBackend, RefusingBackend


@pytest.fixture
def counselors_email(settings):
    settings.COUNSELORS_EMAIL = ["counselors@clinic.test"]


@pytest.fixture
def staff_notified(settings):
    # So storing a message or a comment also queues a notification in the same transaction.
    settings.COUNSELORS_EMAIL = ["counselors@clinic.test"]
    settings.MODERATORS_EMAIL = ["moderators@clinic.test"]


@pytest.fixture
def cache_in_the_database(settings):
    """The rate-limit cache as production has it without Redis: a table in the same database."""
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "clinic_cache"}
    }


@pytest.fixture
def notification_call_counts():
    BrokenBackend.calls = RefusingBackend.calls = 0
