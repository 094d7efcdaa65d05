"""The moderators' comment queue."""

from django.contrib import admin, messages
from django.db.models import Count
from django.http import HttpResponseRedirect
from django.template.defaultfilters import truncatechars
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from contacts.comments.models import Comment
from contacts.comments.services import comment_approve, comment_mark_spam, comment_trash, comment_unapprove

MODERATION_BUTTONS = {
    "approve": (comment_approve, "approved"),
    "unapprove": (comment_unapprove, "moved back to pending"),
    "spam": (comment_mark_spam, "marked as spam"),
    "trash": (comment_trash, "moved to the trash"),
}


class CommentStatusFilter(admin.SimpleListFilter):
    """The state filter, opening on the pending queue; "All" must be chosen explicitly."""

    title = "state"
    parameter_name = "status"
    default = Comment.Status.PENDING
    show_all = "all"

    def lookups(self, request, model_admin):
        counts = dict(Comment.objects.values_list("status").annotate(n=Count("id")).order_by())
        choices = [(value, f"{label} ({counts.get(value, 0)})") for value, label in Comment.Status.choices]
        return [*choices, (self.show_all, f"All ({sum(counts.values())})")]

    def value(self):
        return super().value() or self.default

    def choices(self, changelist):
        # Django's own "All" entry clears the parameter, which here means "pending": leave it out.
        for lookup, title in self.lookup_choices:
            yield {
                "selected": self.value() == str(lookup),
                "query_string": changelist.get_query_string({self.parameter_name: lookup}),
                "display": title,
            }

    def queryset(self, request, queryset):
        if self.value() == self.show_all:
            return queryset
        if self.value() in Comment.Status.values:
            return queryset.filter(status=self.value())
        return queryset.none()


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin):
    list_display = ["excerpt", "crisis_flag", "author_name", "article_title", "status", "created_at"]
    list_display_links = ["excerpt"]
    list_filter = [CommentStatusFilter, "crisis", ("article", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["article"]
    search_fields = ["author_name", "author_email", "body"]
    # The state filter already shows its counts.
    show_facets = admin.ShowFacets.NEVER
    search_help_text = "Search by author name, email address or comment text."
    actions = ["approve", "unapprove", "mark_spam", "trash"]
    fields = [
        "article",
        "parent",
        "author_name",
        "author_email",
        "body",
        "status",
        "crisis",
        "auto_reason",
        "created_at",
        "updated_at",
        "moderated_at",
        "moderated_by",
        "same_sender",
    ]
    # The state changes only through the moderation actions, so who and when is always recorded.
    readonly_fields = [
        "article",
        "parent",
        "status",
        "crisis",
        "auto_reason",
        "created_at",
        "updated_at",
        "moderated_at",
        "moderated_by",
        "same_sender",
    ]

    def has_add_permission(self, request):
        return False

    def render_change_form(self, request, context, *args, **kwargs):
        context["can_moderate"] = self.has_moderate_permission(request)
        return super().render_change_form(request, context, *args, **kwargs)

    def response_change(self, request, obj):
        # The "Save and approve / spam / trash" buttons of the change form (a moderator arriving
        # from the notification email): the edit is saved, then the state changes through the service.
        choice = request.POST.get("_moderate")
        if choice in MODERATION_BUTTONS and self.has_moderate_permission(request):
            service, done = MODERATION_BUTTONS[choice]
            service(comments=[obj], moderator=request.user)
            self.message_user(request, f"Comment #{obj.pk} {done}.", messages.SUCCESS)
            return HttpResponseRedirect(reverse("admin:contacts_comment_changelist"))
        return super().response_change(request, obj)

    def has_moderate_permission(self, request) -> bool:
        return request.user.has_perm("contacts.can_moderate")

    @admin.display(description="comment")
    def excerpt(self, obj: Comment) -> str:
        prefix = "↳ " if obj.parent_id else ""
        return prefix + truncatechars(obj.body.replace("\n", " "), 80)

    @admin.display(description="crisis", ordering="-crisis")
    def crisis_flag(self, obj: Comment) -> str:
        return mark_safe('<strong class="urgent">Crisis language</strong>') if obj.crisis else ""

    @admin.display(description="article", ordering="article__title")
    def article_title(self, obj: Comment) -> str:
        return truncatechars(obj.article.title, 40)

    @admin.display(description="other comments from this sender")
    def same_sender(self, obj: Comment) -> str:
        if not obj.client_hash:
            return "-"
        url = reverse("admin:contacts_comment_changelist")
        return format_html('<a href="{}?client_hash={}&amp;status=all">Show them</a>', url, obj.client_hash)

    def _report(self, request, changed: int, done: str) -> None:
        self.message_user(request, f"{changed} comment(s) {done}.", messages.SUCCESS)

    @admin.action(description="Approve selected comments (show them on the site)", permissions=["moderate"])
    def approve(self, request, queryset):
        held = queryset.filter(crisis=True, status=Comment.Status.PENDING).count()
        self._report(request, comment_approve(comments=queryset, moderator=request.user, one_by_one=False), "approved")
        if held:
            self.message_user(
                request,
                f"{held} comment(s) flagged for crisis language stayed pending: open each one, make sure a "
                "counselor has seen it, and approve it on its own page.",
                messages.WARNING,
            )

    @admin.action(description="Unapprove selected comments (back to pending)", permissions=["moderate"])
    def unapprove(self, request, queryset):
        self._report(request, comment_unapprove(comments=queryset, moderator=request.user), "moved back to pending")

    @admin.action(description="Mark selected comments as spam", permissions=["moderate"])
    def mark_spam(self, request, queryset):
        self._report(request, comment_mark_spam(comments=queryset, moderator=request.user), "marked as spam")

    @admin.action(description="Move selected comments to the trash", permissions=["moderate"])
    def trash(self, request, queryset):
        self._report(request, comment_trash(comments=queryset, moderator=request.user), "moved to the trash")
