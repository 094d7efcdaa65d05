from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.safestring import SafeString, mark_safe

from articles.markup import render_markdown


class ArticleQuerySet(models.QuerySet):
    def published(self):
        """Articles a patient may read: published, with a publication time that has come."""
        return self.filter(status=Article.Status.PUBLISHED, published_at__lte=timezone.now())


class Article(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published"

    title = models.CharField(max_length=200, help_text="The page heading patients see, e.g. a plain-language question.")
    slug = models.SlugField(
        max_length=200,
        unique=True,
        help_text="The last part of the page address. Filled in from the title; change it only before publishing.",
    )
    lede = models.TextField(
        blank=True,
        help_text="One or two sentences shown under the title and on the home page: what a reader will learn.",
    )
    meta_description = models.CharField(
        max_length=160,
        blank=True,
        help_text="Shown by search engines under the title (at most 160 characters). Leave blank to use the lede.",
    )
    status = models.CharField(
        max_length=10,
        choices=Status.choices,
        default=Status.DRAFT,
        db_index=True,
        help_text="Drafts are visible only to staff through the preview link.",
    )
    published_at = models.DateTimeField(
        null=True,
        blank=True,
        db_index=True,
        help_text="When the article went public. Set automatically by the Publish action.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    last_reviewed = models.DateField(
        null=True,
        blank=True,
        help_text="Date of the last medical review; shown as 'Medically reviewed by … on …'.",
    )
    reviewed_by = models.CharField(
        max_length=200,
        blank=True,
        help_text="Name and credentials of the medical reviewer, e.g. 'Dr. Jane Doe, MD'.",
    )
    comments_open = models.BooleanField(
        default=True,
        help_text="Untick to stop new comments. Approved comments stay visible.",
    )

    objects = ArticleQuerySet.as_manager()

    class Meta:
        ordering = ["-published_at", "title"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="published") | Q(published_at__isnull=False),
                name="article_published_has_date",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("articles:detail", kwargs={"slug": self.slug})

    @property
    def is_published(self) -> bool:
        return (
            self.status == self.Status.PUBLISHED
            and self.published_at is not None
            and self.published_at <= timezone.now()
        )

    @property
    def description(self) -> str:
        """What search engines and link previews show."""
        return self.meta_description or self.lede[:160]


class FaqEntry(models.Model):
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="entries")
    question = models.CharField(max_length=300, help_text="Shown as a heading and in the table of contents.")
    answer = models.TextField(
        help_text="Written in Markdown: a blank line starts a new paragraph, **bold**, *italic*, "
        "[link text](https://…), and lines starting with '- ' make a list. HTML is removed.",
    )
    position = models.PositiveIntegerField(default=0, help_text="Entries are shown from the lowest number up.")
    anchor = models.SlugField(
        max_length=100,
        help_text="The '#…' part of a link straight to this question. Unique within the article.",
    )

    class Meta:
        ordering = ["position", "id"]
        verbose_name = "FAQ entry"
        verbose_name_plural = "FAQ entries"
        constraints = [
            models.UniqueConstraint(fields=["article", "anchor"], name="faqentry_unique_anchor_per_article"),
        ]

    def __str__(self) -> str:
        return self.question

    @cached_property
    def answer_html(self) -> SafeString:
        """The answer as sanitised HTML, rendered once per instance (page and JSON-LD share it)."""
        return mark_safe(render_markdown(self.answer))  # noqa: S308 - render_markdown sanitises with nh3


class Source(models.Model):
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="sources")
    citation = models.TextField(help_text="The full citation as it should appear under 'Sources Cited'.")
    url = models.URLField(blank=True, max_length=500, help_text="Optional link to the source.")
    position = models.PositiveIntegerField(default=0, help_text="Sources are listed from the lowest number up.")

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.citation[:80]
