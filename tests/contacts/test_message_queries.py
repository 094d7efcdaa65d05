"""The duplicate check that runs on every message sent stays one index probe during a burst."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from bench.admin_list import explain_indexes
from contacts.messages.services import DUPLICATE_WINDOW
from contacts.models import Message

pytestmark = pytest.mark.django_db


def bulk_messages(count: int, *, created_at, prefix: str, status: str = Message.Status.NEW) -> None:
    Message.objects.bulk_create(
        Message(
            name="Patient",
            preferred_method=Message.Method.PHONE,
            phone="+17086134751",
            body="Text.",
            consent_at=created_at,
            created_at=created_at,
            fingerprint=f"{prefix}-{n}",
            status=status,
        )
        for n in range(count)
    )


@pytest.mark.parametrize("burst", [Message.Status.NEW, Message.Status.SPAM])
def test_the_duplicate_check_reads_the_fingerprint_index_even_when_statistics_lag_behind_a_burst(burst):
    # Statistics gathered on older messages, then a burst (of messages, or of spam) the planner
    # has not seen: a plan walking the created_at or the triage index would read every message of
    # the burst for each new one.
    bulk_messages(3000, created_at=timezone.now() - timedelta(days=30), prefix="old")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE contacts_message" if connection.vendor == "postgresql" else "ANALYZE")
    bulk_messages(2000, created_at=timezone.now(), prefix="burst", status=burst)
    spam = burst == Message.Status.SPAM

    with CaptureQueriesContext(connection) as captured:
        Message.objects.duplicate_of(fingerprint="new", spam=spam, since=timezone.now() - DUPLICATE_WINDOW)

    (query,) = captured.captured_queries
    assert explain_indexes(query["sql"]) == ["message_duplicate_idx"]


def test_the_duplicate_check_finds_the_latest_copy_of_the_same_kind_inside_the_window_only():
    now = timezone.now()

    def duplicate(*, spam: bool) -> Message | None:
        return Message.objects.duplicate_of(fingerprint="copy-0", spam=spam, since=now - DUPLICATE_WINDOW)

    bulk_messages(1, created_at=now - DUPLICATE_WINDOW - timedelta(minutes=1), prefix="copy")
    assert duplicate(spam=False) is None

    bulk_messages(1, created_at=now - timedelta(minutes=3), prefix="copy")
    bulk_messages(1, created_at=now - timedelta(minutes=2), prefix="copy")
    latest_real = Message.objects.filter(fingerprint="copy-0").latest("created_at")
    assert duplicate(spam=False) == latest_real
    assert duplicate(spam=True) is None

    # A newer spam copy neither hides the real one nor stands in for it.
    bulk_messages(1, created_at=now - timedelta(minutes=1), prefix="copy", status=Message.Status.SPAM)
    assert duplicate(spam=False) == latest_real
    assert duplicate(spam=True).status == Message.Status.SPAM
