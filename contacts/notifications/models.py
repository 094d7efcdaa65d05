from datetime import datetime, timedelta
from typing import NamedTuple

from django.conf import settings
from django.db import models
from django.db.models import Count, Min, Q
from django.utils import timezone


class Backlog(NamedTuple):
    """Unsent notifications right now: how many wait, how many are late, since when the oldest late one waits."""

    waiting: int
    late: int
    late_since: datetime | None


class NotificationQuerySet(models.QuerySet):
    def unsent(self) -> "NotificationQuerySet":
        return self.filter(sent_at__isnull=True)

    def due(self, now: datetime) -> "NotificationQuerySet":
        """Unsent and whose next attempt has come, whatever any sender's claim says."""
        return self.unsent().filter(next_attempt_at__lte=now)

    def late(self, now: datetime) -> "NotificationQuerySet":
        """Unsent for longer than `NOTIFICATION_ALARM_MINUTES` after being queued."""
        return self.unsent().filter(created_at__lt=now - late_after())

    def backlog(self, now: datetime) -> Backlog:
        """The unsent notifications' counts (the alarm's figures), in one query."""
        late = Q(created_at__lt=now - late_after())
        counts = self.unsent().aggregate(
            waiting=Count("pk"), late=Count("pk", filter=late), late_since=Min("created_at", filter=late)
        )
        return Backlog(**counts)


def late_after() -> timedelta:
    """How long a notification may wait unsent before it is late and the alarm is raised."""
    return timedelta(minutes=settings.NOTIFICATION_ALARM_MINUTES)


class Notification(models.Model):
    """An email to staff waiting to be sent: the durable outbox behind every staff notification.

    Rows are written in the same transaction as the message or comment they announce, so a
    notification can never be lost; only the scheduled sender (`send_pending_notifications`)
    sends them, never the request that stored them. `sent_at` marks delivery; a failed attempt
    moves `next_attempt_at` later (backing off up to an hour) and nothing is ever given up.
    Subjects and bodies carry only numbers and admin links, never a patient's name, contact
    details or text.
    """

    recipients = models.TextField(help_text="Comma-separated staff addresses.")
    subject = models.CharField(max_length=200)
    body = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    next_attempt_at = models.DateTimeField(
        "next attempt",
        default=timezone.now,
        help_text="When the sender tries it next: at once when queued, later after each failed attempt.",
    )
    claimed_until = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.CharField(
        "last error", max_length=200, blank=True, help_text="The kind of failure of the last attempt, never its text."
    )

    objects = NotificationQuerySet.as_manager()

    class Meta:
        verbose_name = "staff notification"
        ordering = ["created_at"]
        indexes = [models.Index(fields=["sent_at", "created_at"], name="notification_unsent_idx")]

    def __str__(self) -> str:
        return self.subject
