from django.conf import settings
from django.db import models
from django.utils import timezone


class AuditEvent(models.Model):
    """One look at or change to patients' messages: who, when, which message, what.

    Append-only: rows are written by `contacts.audit.services.audit_record` (called by the
    message and privacy services) and shown read-only to clinic admins. `message_id` is a plain
    number, not a foreign key, so the record outlives a purged or erased message. `detail` never
    carries patient data: statuses, usernames, counts and numbers only. The one event not about
    messages, "Notifications sent again", records a staff member's "Send again now" in the
    notification outbox (`contacts.notifications`), with the notifications' numbers.
    """

    class Action(models.TextChoices):
        VIEWED = "viewed", "Viewed"
        EXPORTED = "exported", "Exported"
        STATUS_CHANGED = "status_changed", "Status changed"
        ASSIGNED = "assigned", "Assigned"
        PURGED = "purged", "Purged (retention)"
        ERASED = "erased", "Erased (privacy request)"
        DELETED = "deleted", "Deleted by hand"
        # Not about a message: staff asked the outbox to send staff notifications again now.
        NOTIFICATIONS_RESENT = "notifications_resent", "Notifications sent again"

    created_at = models.DateTimeField(default=timezone.now, editable=False)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    actor_name = models.CharField(
        "who", max_length=150, help_text="The username at the time, or the command that acted."
    )
    action = models.CharField(max_length=20, choices=Action.choices)
    message_id = models.PositiveBigIntegerField(
        "message", null=True, blank=True, help_text="The message's number; empty for an event about several."
    )
    detail = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        # Viewing is the only permission: nobody may add, change or delete audit events.
        default_permissions = ["view"]
        indexes = [
            models.Index(fields=["message_id", "created_at"], name="audit_message_idx"),
            models.Index(fields=["created_at"], name="audit_created_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_action_display()} by {self.actor_name}"
