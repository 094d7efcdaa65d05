from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from phonenumber_field.modelfields import PhoneNumberField


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


# Comments


class CommentQuerySet(models.QuerySet):
    def approved(self):
        """Comments readers may see."""
        return self.filter(status=Comment.Status.APPROVED)

    def pending(self):
        """Comments waiting for a moderator."""
        return self.filter(status=Comment.Status.PENDING)

    def public_threads(self, article):
        """The article's approved top-level comments, oldest first (one per thread)."""
        return self.approved().filter(article=article, parent__isnull=True).order_by("created_at", "id")

    def public_fields(self):
        """Only what a public page shows: the author's email is never even loaded."""
        return self.only("id", "article_id", "parent_id", "author_name", "body", "created_at")


class Comment(models.Model):
    """A reader's comment on an article, or a reply one level deep, shown once approved.

    Writes go through `contacts.services` (`comment_submit`, `comment_approve`…), which apply
    the auto-moderation rules of `contacts.moderation` and record who moderated and when.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        APPROVED = "approved", "Approved"
        SPAM = "spam", "Spam"
        TRASH = "trash", "Trash"

    article = models.ForeignKey("articles.Article", on_delete=models.CASCADE, related_name="comments")
    parent = models.ForeignKey(
        "self",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="replies",
        help_text="The comment this one replies to. Replies are one level deep.",
    )
    author_name = models.CharField("name", max_length=100, help_text="Shown publicly with the comment.")
    author_email = models.EmailField(
        "email", help_text="Never shown on the site. Stored in lower case to recognise returning authors."
    )
    body = models.TextField("comment", help_text="Plain text; shown escaped, with links marked nofollow.")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    crisis = models.BooleanField(
        "crisis language",
        default=False,
        help_text=(
            "Set when the comment reads as a crisis (suicide, self-harm, overdose…). Held for a moderator "
            "and counselors are told; approve it one by one, after a counselor has seen it."
        ),
    )
    auto_reason = models.CharField(
        "why held or flagged",
        max_length=100,
        blank=True,
        help_text="Set by the site's automatic checks, e.g. 'too many links' or 'honeypot'.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    moderated_at = models.DateTimeField(null=True, blank=True)
    moderated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    client_hash = models.CharField(
        "sender key",
        max_length=64,
        blank=True,
        help_text="A salted hash of the sender's network address, to spot floods; never the address itself.",
    )

    objects = CommentQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        permissions = [("can_moderate", "Can approve, reject and mark comments as spam")]
        indexes = [
            # The article page: approved comments of one article, oldest first.
            models.Index(fields=["article", "status", "created_at"], name="comment_public_idx"),
            # The moderation queue: one state, newest first.
            models.Index(fields=["status", "created_at"], name="comment_queue_idx"),
            # Known authors (auto-approval) and duplicates.
            models.Index(fields=["author_email", "status"], name="comment_author_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=~Q(parent=F("id")), name="comment_not_own_parent"),
        ]

    def __str__(self) -> str:
        return f"Comment #{self.pk} by {self.author_name}"

    def get_absolute_url(self) -> str:
        return f"{self.article.get_absolute_url()}#comment-{self.pk}"


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


class AuditEvent(models.Model):
    """One look at or change to patients' messages: who, when, which message, what.

    Append-only: rows are written by `contacts.services` and shown read-only to clinic admins.
    `message_id` is a plain number, not a foreign key, so the record outlives a purged or erased
    message. `detail` never carries patient data: statuses, usernames, counts and numbers only.
    """

    class Action(models.TextChoices):
        VIEWED = "viewed", "Viewed"
        EXPORTED = "exported", "Exported"
        STATUS_CHANGED = "status_changed", "Status changed"
        ASSIGNED = "assigned", "Assigned"
        PURGED = "purged", "Purged (retention)"
        ERASED = "erased", "Erased (privacy request)"
        DELETED = "deleted", "Deleted by hand"

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
