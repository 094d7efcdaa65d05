from django.db import models


class Notification(models.Model):
    """An email to staff waiting to be sent: the durable outbox behind every staff notification.

    Rows are written in the same transaction as the message or comment they announce, so a
    notification can never be lost; `sent_at` marks delivery. Subjects and bodies carry only
    numbers and admin links, never a patient's name, contact details or text.
    """

    recipients = models.TextField(help_text="Comma-separated staff addresses.")
    subject = models.CharField(max_length=200)
    body = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    claimed_until = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["created_at"]
        indexes = [models.Index(fields=["sent_at", "created_at"], name="notification_unsent_idx")]

    def __str__(self) -> str:
        return self.subject
