from django.contrib import admin, messages
from django.db import models
from django.db.models import Count
from django.utils import timezone

from articles.models import Article, FaqEntry, Source
from articles.services import article_publish, article_unpublish
from clinic.admin_actions import SelectionCheckMixin


class FaqEntryInline(admin.StackedInline):
    model = FaqEntry
    extra = 0
    fields = ["position", "question", "anchor", "answer"]
    prepopulated_fields = {"anchor": ["question"]}


class SourceInline(admin.TabularInline):
    model = Source
    extra = 0
    fields = ["position", "citation", "url"]
    # A link typed without a scheme ("nida.nih.gov/…") is taken as https, not http.
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}


@admin.register(Article)
class ArticleAdmin(SelectionCheckMixin, admin.ModelAdmin):
    list_display = ["title", "status", "published_at", "updated_at", "entry_count"]
    list_filter = ["status", "comments_open"]
    search_fields = ["title", "lede", "entries__question"]
    prepopulated_fields = {"slug": ["title"]}
    readonly_fields = ["published_at", "updated_at"]
    # The model's ordering, named here because the entry count below groups the query, which drops
    # Meta.ordering: the autocomplete's pages would come in no fixed order.
    ordering = ["-published_at", "title", "pk"]
    inlines = [FaqEntryInline, SourceInline]
    actions = ["publish", "unpublish"]
    fieldsets = [
        (None, {"fields": ["title", "slug", "lede", "status", "published_at", "updated_at"]}),
        ("Medical review", {"fields": ["last_reviewed", "reviewed_by"]}),
        ("Search engines", {"fields": ["meta_description"]}),
        ("Comments", {"fields": ["comments_open"]}),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(entry_total=Count("entries"))

    @admin.display(description="FAQ entries", ordering="entry_total")
    def entry_count(self, obj: Article) -> int:
        return obj.entry_total

    def save_model(self, request, obj, form, change):
        # Choosing "Published" in the form dates the article like the Publish action does.
        if obj.status == Article.Status.PUBLISHED and obj.published_at is None:
            obj.published_at = timezone.now()
        super().save_model(request, obj, form, change)

    @admin.action(description="Publish selected articles", permissions=["change"])
    def publish(self, request, queryset):
        for article in queryset:
            article_publish(article=article)
        self.message_user(request, f"Published {len(queryset)} article(s).", messages.SUCCESS)

    @admin.action(description="Unpublish selected articles (back to draft)", permissions=["change"])
    def unpublish(self, request, queryset):
        for article in queryset:
            article_unpublish(article=article)
        self.message_user(request, f"Unpublished {len(queryset)} article(s).", messages.SUCCESS)
