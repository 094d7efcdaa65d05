from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from phonenumber_field.modelfields import PhoneNumberField

# How many of the latest copies of a message the duplicate check reads (see `duplicate_of`).
DUPLICATE_COPIES_READ = 5


class MessageQuerySet(models.QuerySet):
    def triage_order(self):
        """Urgent first, then oldest first: the order counselors work the queue in."""
        return self.order_by("-urgent", "created_at")

    def open(self):
        """Messages a counselor still has to finish: new, in progress or contacted (not closed or spam)."""
        return self.filter(status__in=[Message.Status.NEW, Message.Status.IN_PROGRESS, Message.Status.CONTACTED])

    def duplicate_of(self, *, fingerprint: str, spam: bool, since) -> "Message | None":
        """The latest copy of the same contact and text, of the same kind (spam or not), sent since
        `since` (a refresh, a double click, a resend); else None.

        Runs for every message sent, so it must stay one probe of `message_duplicate_idx`: the query
        names the fingerprint alone and the kind and time are checked here. With `created_at` or
        `status` in the query, PostgreSQL's statistics (gathered before a burst of new messages, or
        of spam) make the created_at or triage index look as cheap, and those plans read every
        message of the burst for each new one. Copies are few (the same contact details and text),
        so the latest `DUPLICATE_COPIES_READ` are enough.
        """
        for copy in self.filter(fingerprint=fingerprint).order_by("-created_at")[:DUPLICATE_COPIES_READ]:
            if copy.created_at < since:
                return None
            if (copy.status == Message.Status.SPAM) == spam:
                return copy
        return None


class Message(models.Model):
    """A patient's message to the counselors, sent through the "Message a counselor" form.

    Writes go through `contacts.messages.services` (`message_submit`, `message_set_status`…),
    which keep the timeline (`MessageNote`) and the audit trail.

    No IP address or user agent is stored: abuse control keeps only a salted hash of the client.
    """

    class Method(models.TextChoices):
        PHONE = "phone", "Phone call"
        TEXT = "text", "Text message"
        EMAIL = "email", "Email"

    class Status(models.TextChoices):
        NEW = "new", "New"
        IN_PROGRESS = "in_progress", "In progress"
        CONTACTED = "contacted", "Contacted"
        CLOSED = "closed", "Closed"
        SPAM = "spam", "Spam"

    name = models.CharField(max_length=100)
    preferred_method = models.CharField("preferred contact method", max_length=10, choices=Method.choices)
    phone = PhoneNumberField(blank=True)
    email = models.EmailField(blank=True)
    best_time = models.CharField("best time to reach", max_length=200, blank=True)
    body = models.TextField("message", max_length=5000)
    voicemail_ok = models.BooleanField("OK to leave a voicemail", default=False)
    clinic_name_ok = models.BooleanField("OK to say the clinic's name", default=False)
    consent_at = models.DateTimeField(help_text="When the patient agreed to be contacted about this message.")

    status = models.CharField(max_length=12, choices=Status.choices, default=Status.NEW)
    urgent = models.BooleanField(
        default=False, help_text="Set when the message reads as a crisis (suicide, overdose…): call back first."
    )
    said_in_danger = models.BooleanField(
        "said they are in danger",
        default=False,
        help_text="The patient answered yes to “Are you thinking about suicide, or are you in danger right now?”",
    )
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assigned_messages",
        limit_choices_to={"is_staff": True},
        help_text="The counselor who handles this message.",
    )
    created_at = models.DateTimeField("received", default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)
    first_contacted_at = models.DateTimeField(null=True, blank=True)
    starred = models.BooleanField(
        "follow-up star", default=False, help_text="Starred by staff to come back to; shown in the list."
    )
    first_opened_at = models.DateTimeField(null=True, blank=True)
    first_opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    sent_from = models.CharField(max_length=200, blank=True, help_text="The page the form was sent from.")

    # Abuse control and duplicate detection: hashes only, never readable patient data. An urgent
    # message keeps its spam signal here but stays in the open queue ("possible spam").
    spam_reason = models.CharField(max_length=20, blank=True)
    client_hash = models.CharField(max_length=64, blank=True)
    fingerprint = models.CharField(max_length=64, help_text="Salted hash of contact details and text.")
    form_token = models.CharField(max_length=64, blank=True, help_text="Salted hash of the form's one-time token.")

    objects = MessageQuerySet.as_manager()

    class Meta:
        ordering = ["-urgent", "created_at"]
        permissions = [("export_message", "Can export messages to CSV")]
        indexes = [
            # The triage list: open messages, urgent first, then oldest.
            models.Index(fields=["status", "-urgent", "created_at"], name="message_triage_idx"),
            models.Index(fields=["-urgent", "created_at"], name="message_order_idx"),
            models.Index(fields=["created_at"], name="message_created_idx"),
            models.Index(fields=["fingerprint", "created_at"], name="message_duplicate_idx"),
        ]
        constraints = [
            # A double-posted form (same token, same content) can be stored only once, even in a race.
            models.UniqueConstraint(
                fields=["form_token", "fingerprint"], condition=~Q(form_token=""), name="message_unique_form_post"
            ),
            models.CheckConstraint(
                condition=Q(status__in=["new", "in_progress", "contacted", "closed", "spam"]),
                name="message_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(preferred_method__in=["phone", "text", "email"]), name="message_method_valid"
            ),
        ]

    def __str__(self) -> str:
        # Never the patient's name: this string lands in admin history and log lines.
        return f"Message #{self.pk}"

    @property
    def contact_preferences(self) -> str:
        """The discreet-contact answers as one sentence a counselor reads before calling."""
        voicemail = "Voicemail is OK" if self.voicemail_ok else "Do NOT leave a voicemail"
        clinic_name = "OK to say the clinic's name" if self.clinic_name_ok else "Do NOT say the clinic's name"
        return f"{voicemail} · {clinic_name}"


class MessageNote(models.Model):
    """One entry in a message's timeline: a counselor's note or a recorded status change."""

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    text = models.TextField(max_length=5000)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"Note on message #{self.message_id}"
