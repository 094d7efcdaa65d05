"""The moderators' comment queue: its state filter, its columns with one-click row buttons, bulk actions.

The views behind the row buttons, the reply page and "view in thread" are in `admin_views.py`.
"""

from django.contrib import admin, messages
from django.db.models import Count
from django.http import HttpResponseRedirect
from django.template.defaultfilters import linebreaksbr, truncatechars
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

from clinic.admin_actions import SelectionCheckMixin
from contacts.comments.admin_views import MODERATION_BUTTONS, comment_queue_urls
from contacts.comments.models import Comment
from contacts.comments.services import (
    comment_approve,
    comment_mark_spam,
    comment_trash,
    comment_unapprove,
)

# The one-click buttons of a row, by the state the comment is in: (choice, label, key).
ROW_BUTTONS = {
    "approve": ("Approve", "a"),
    "unapprove": ("Unapprove", "u"),
    "spam": ("Spam", "s"),
    "trash": ("Trash", "t"),
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
class CommentAdmin(SelectionCheckMixin, admin.ModelAdmin):
    list_display = ["comment_text", "crisis_flag", "author_name", "article_title", "status", "created_at"]
    # The comment cell carries its own links (open, view in thread); the whole text is not one big link.
    list_display_links = None
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
        "staff_reply",
        "staff_author",
        "created_at",
        "updated_at",
        "moderated_at",
        "moderated_by",
        "same_sender",
    ]
    # The state changes only through the moderation actions, so who and when is always recorded.
    readonly_fields = [name for name in fields if name not in ("author_name", "author_email", "body")]

    class Media:
        # The queue's keyboard (j/k, a/s/t/u): a file of our own, as the Content-Security-Policy forbids inline script.
        js = ["js/admin-moderation.js"]

    def has_add_permission(self, request):
        return False

    def get_urls(self):
        # The row buttons, the reply page and the thread link (admin_views.py).
        return comment_queue_urls(self) + super().get_urls()

    def get_list_display(self, request):
        if not self.has_moderate_permission(request):
            return self.list_display
        return [*self.list_display, self._row_buttons(request)]

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

    # The queue's columns

    @admin.display(description="comment")
    def comment_text(self, obj: Comment) -> str:
        """The whole comment, escaped and wrapped, with links to edit it and to see it on the site."""
        thread = reverse("admin:contacts_comment_thread", args=[obj.pk])
        public = obj.status == Comment.Status.APPROVED
        return format_html(
            '{}{}<div class="comment-full">{}</div><p class="comment-links"><a href="{}">Open #{}</a> · '
            '<a href="{}">View in thread</a>{}</p>',
            mark_safe('<span class="comment-kind">Reply ↳</span> ') if obj.parent_id else "",
            mark_safe('<strong class="clinic-team">Clinic team</strong> ') if obj.staff_reply else "",
            linebreaksbr(obj.body, autoescape=True),
            reverse("admin:contacts_comment_change", args=[obj.pk]),
            obj.pk,
            thread,
            "" if public else mark_safe(' <span class="not-public">(not public yet)</span>'),
        )

    def _row_buttons(self, request):
        """The moderate column: one-click buttons posting the changelist form (and its CSRF token) to
        `admin_views.moderate`, and a Reply link; both bring the moderator back to the same filtered list."""
        preserved = self.get_preserved_filters(request)
        query = f"?{preserved}" if preserved else ""

        @admin.display(description="moderate")
        def moderate(obj: Comment) -> str:
            buttons = format_html_join(
                " ",
                '<button type="submit" class="button moderate-button" formmethod="post" formaction="{}" '
                'data-moderate="{}" aria-keyshortcuts="{}" aria-label="{} comment #{}">{}</button>',
                (
                    (
                        reverse("admin:contacts_comment_moderate", args=[obj.pk, choice]) + query,
                        choice,
                        key,
                        label,
                        obj.pk,
                        label,
                    )
                    for choice, (label, key) in ROW_BUTTONS.items()
                    if _offered(obj, choice)
                ),
            )
            reply = ""
            if obj.status == Comment.Status.APPROVED:
                url = reverse("admin:contacts_comment_reply", args=[obj.pk]) + query
                reply = format_html(' <a class="reply-link" href="{}">Reply</a>', url)
            return format_html('<div class="moderate-buttons">{}{}</div>', buttons, reply)

        return moderate

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

    # Bulk actions

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


def _offered(comment: Comment, choice: str) -> bool:
    """Which one-click buttons a row shows: every move but to the state it is in; unapprove only when approved."""
    if choice == "unapprove":
        return comment.status == Comment.Status.APPROVED
    target = {"approve": Comment.Status.APPROVED, "spam": Comment.Status.SPAM, "trash": Comment.Status.TRASH}[choice]
    return comment.status != target
