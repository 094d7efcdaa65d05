from django.conf import settings
from django.db import models
from django.db.models import F, Q


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
        return self.only("id", "article_id", "parent_id", "author_name", "body", "created_at", "staff_reply")

    def copies_of(self, *, article, author_email: str, body: str):
        """This author's comments on the article with exactly this text (trashed ones aside)."""
        return self.filter(article=article, author_email=author_email.strip().lower(), body=body.strip()).exclude(
            status=Comment.Status.TRASH
        )


class Comment(models.Model):
    """A reader's comment on an article, or a reply one level deep, shown once approved.

    Writes go through `contacts.comments.services` (`comment_submit`, `comment_approve`…), which
    apply the auto-moderation rules of `contacts.comments.moderation` and record who moderated and
    when.
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
        "email",
        blank=True,
        help_text=(
            "Never shown on the site. Stored in lower case to recognise returning authors. "
            "Empty for the clinic's replies."
        ),
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
    # A reply written by staff from the admin, signed publicly as the clinic's team.
    staff_reply = models.BooleanField(
        "reply from the clinic", default=False, help_text="Written by staff from the admin and signed as the clinic."
    )
    staff_author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=(
            "The staff member who wrote the clinic's reply; shown publicly only if they chose to sign with their name."
        ),
    )
    client_hash = models.CharField(
        "sender key",
        max_length=64,
        blank=True,
        help_text="A salted hash of the sender's network address, to spot floods; never the address itself.",
    )

    objects = CommentQuerySet.as_manager()

    # Not a column: the approved replies of a thread, set on the threads a page shows by
    # `contacts.comments.selectors.comment_section` (one query for threads and replies together).
    thread_replies: list["Comment"]

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
