"""The counselors' message triage: the open queue, each message's page and timeline, the CSV export."""

import phonenumbers
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.http import HttpResponse
from django.template.defaultfilters import linebreaks_filter
from django.utils import timezone
from django.utils.html import format_html

from clinic.admin_actions import SelectionCheckMixin
from contacts.crisis import crisis_terms, is_crisis
from contacts.crisis.wording import default_model
from contacts.messages.admin_list import (
    AssigneeFilter,
    MineFilter,
    QueueFilter,
    UnreadFilter,
    age,
    number,
    read_state,
    search_by_phone_digits,
    star,
    urgency,
    waiting,
)
from contacts.messages.admin_views import message_page_context, message_page_urls
from contacts.messages.export import messages_csv_write
from contacts.messages.models import Message
from contacts.messages.selectors import message_assignees, messages_for_export
from contacts.messages.services import (
    message_assign,
    message_set_status,
    message_view_record,
    messages_delete,
    messages_export_record,
    messages_mark_read,
    messages_star,
)


@admin.register(Message)
class MessageAdmin(SelectionCheckMixin, admin.ModelAdmin):
    # The key columns first: on a phone they are each row's first line (static/css/admin-messages.css).
    list_display = [urgency, "status", waiting, "assigned_to", star, read_state, number, "name", age]
    list_display_links = [number, "name"]
    list_filter = [
        QueueFilter,
        MineFilter,
        "urgent",
        ("assigned_to", AssigneeFilter),
        "starred",
        UnreadFilter,
        "created_at",
    ]
    list_select_related = ["assigned_to"]
    search_fields = ["name", "email", "phone"]
    search_help_text = "Search by name, email address or phone number."
    show_full_result_count = False
    list_per_page = 50
    # The triage order ending in a unique column, so the admin adds no "-pk" of its own: the
    # database walks message_triage_idx / message_order_idx and sorts only rows of equal time.
    ordering = ["-urgent", "created_at", "pk"]
    date_hierarchy = None
    actions = [
        "assign_to_me",
        "mark_read",
        "add_star",
        "remove_star",
        "mark_contacted",
        "close",
        "mark_spam",
        "export_csv",
    ]
    # The page's status badge, one-click buttons, note box and read-only timeline (admin_views.py).
    change_form_template = "admin/contacts/message/change_form.html"
    fieldsets = [
        ("Before you call, text or email", {"fields": ["urgency_detail", "discreet_contact"]}),
        ("Message", {"fields": ["message_text", "created_at", "sent_from"]}),
        (
            "Contact details",
            {"fields": ["name", "preferred_method", "phone_link", "email_link", "best_time", "consent_at"]},
        ),
        ("Triage", {"fields": ["status", "assigned_to", "first_contacted_at", "first_opened", "updated_at"]}),
        ("Spam checks", {"fields": ["spam_reason"], "classes": ["collapse"]}),
    ]
    readonly_fields = [
        "urgency_detail",
        "discreet_contact",
        "message_text",
        "created_at",
        "sent_from",
        "name",
        "preferred_method",
        "phone_link",
        "email_link",
        "best_time",
        "consent_at",
        "first_contacted_at",
        "first_opened",
        "updated_at",
        "spam_reason",
    ]

    class Media:
        css = {"all": ["contacts/admin.css", "css/admin-messages.css"]}

    # Change page

    @admin.display(description="Urgency")
    def urgency_detail(self, obj: Message) -> str:
        if not obj.urgent:
            return "Not flagged urgent."
        reasons = []
        if obj.said_in_danger:
            reasons.append("the patient answered YES to “are you thinking about suicide, or in danger right now?”")
        if terms := crisis_terms(obj.body):
            reasons.append("the message mentions " + ", ".join(f"“{term}”" for term in terms))
        elif is_crisis(obj.body):
            words = ", ".join(f"“{phrase}”" for phrase in default_model().strongest(obj.body))
            reasons.append(f"its wording reads like messages from people in crisis ({words})")
        spam = ""
        if obj.spam_reason:
            spam = f" It also looked like spam ({obj.spam_reason.replace('_', ' ')}): check it, but reach out."
        why = "; ".join(reasons) or "crisis language"
        return format_html('<strong class="urgent">URGENT: {}. Reach out first.</strong>{}', why, spam)

    @admin.display(description="Contact preferences")
    def discreet_contact(self, obj: Message) -> str:
        return format_html('<strong class="discreet-contact">{}</strong>', obj.contact_preferences)

    @admin.display(description="Message")
    def message_text(self, obj: Message) -> str:
        return format_html('<div class="message-body">{}</div>', linebreaks_filter(obj.body, autoescape=True))

    @admin.display(description="Phone")
    def phone_link(self, obj: Message) -> str:
        if not obj.phone:
            return "-"
        region = phonenumbers.region_code_for_number(obj.phone)
        shown = obj.phone.as_national if region == "US" else obj.phone.as_international
        return format_html('<a href="tel:{}">{}</a>', obj.phone.as_e164, shown)

    @admin.display(description="Email")
    def email_link(self, obj: Message) -> str:
        return format_html('<a href="mailto:{}">{}</a>', obj.email, obj.email) if obj.email else "-"

    @admin.display(description="First opened")
    def first_opened(self, obj: Message) -> str:
        if obj.first_opened_at is None:
            return "Not yet"
        who = obj.first_opened_by.get_username() if obj.first_opened_by else "a former user"
        return f"{timezone.localtime(obj.first_opened_at):%b %d, %Y, %H:%M} by {who}"

    # Behaviour

    def has_add_permission(self, request):
        return False  # Messages arrive only through the form.

    def has_export_permission(self, request) -> bool:
        return request.user.has_perm("contacts.export_message")

    def get_search_results(self, request, queryset, search_term):
        # "555-0100", "(312) 555" and "+1 312 555 0100" all find "+13125550100".
        searched, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        return search_by_phone_digits(queryset, searched, search_term), may_have_duplicates

    def get_urls(self):
        return message_page_urls(self) + super().get_urls()

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "assigned_to":
            kwargs["queryset"] = message_assignees()
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        message = self.get_object(request, unquote(object_id))
        if message is not None and self.has_view_permission(request, message):
            if request.method == "GET":
                message_view_record(message=message, user=request.user)
            extra_context = {**(extra_context or {}), **message_page_context(self, request, message)}
        return super().change_view(request, object_id, form_url, extra_context)

    def save_model(self, request, obj, form, change):
        # Status and assignee change through the services, which also write the timeline.
        status, assignee = obj.status, obj.assigned_to
        obj.refresh_from_db(fields=["status", "assigned_to"])
        if "assigned_to" in form.changed_data:
            message_assign(message=obj, assignee=assignee, by=request.user)
        if "status" in form.changed_data:
            message_set_status(message=obj, status=status, by=request.user)

    def delete_model(self, request, obj):
        messages_delete(messages=[obj], by=request.user)

    def delete_queryset(self, request, queryset):
        messages_delete(messages=queryset, by=request.user)

    # Actions

    @admin.action(description="Assign selected messages to me", permissions=["change"])
    def assign_to_me(self, request, queryset):
        changed = sum(message_assign(message=m, assignee=request.user, by=request.user) for m in queryset)
        self.message_user(request, f"Assigned {changed} message(s) to you.", messages.SUCCESS)

    @admin.action(description="Mark selected messages read", permissions=["change"])
    def mark_read(self, request, queryset):
        marked = messages_mark_read(messages=queryset, by=request.user)
        self.message_user(request, f"Marked {marked} message(s) read.", messages.SUCCESS)

    @admin.action(description="Star for follow-up", permissions=["change"])
    def add_star(self, request, queryset):
        changed = messages_star(messages=queryset, starred=True, by=request.user)
        self.message_user(request, f"Starred {changed} message(s) for follow-up.", messages.SUCCESS)

    @admin.action(description="Remove star", permissions=["change"])
    def remove_star(self, request, queryset):
        changed = messages_star(messages=queryset, starred=False, by=request.user)
        self.message_user(request, f"Removed the star from {changed} message(s).", messages.SUCCESS)

    @admin.action(description="Mark selected messages as contacted", permissions=["change"])
    def mark_contacted(self, request, queryset):
        self._set_status(request, queryset, Message.Status.CONTACTED, "Marked {} message(s) as contacted.")

    @admin.action(description="Close selected messages", permissions=["change"])
    def close(self, request, queryset):
        self._set_status(request, queryset, Message.Status.CLOSED, "Closed {} message(s).")

    @admin.action(description="Mark selected messages as spam", permissions=["change"])
    def mark_spam(self, request, queryset):
        self._set_status(request, queryset, Message.Status.SPAM, "Marked {} message(s) as spam.")

    def _set_status(self, request, queryset, status, text):
        changed = sum(message_set_status(message=m, status=status, by=request.user) for m in queryset)
        self.message_user(request, text.format(changed), messages.SUCCESS)

    @admin.action(description="Export selected messages to CSV", permissions=["export"])
    def export_csv(self, request, queryset):
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="messages-{timezone.localdate():%Y-%m-%d}.csv"'
        response["Cache-Control"] = "no-store"
        exported = messages_for_export(queryset)
        messages_export_record(message_ids=[m.pk for m in exported], user=request.user)
        messages_csv_write(response, exported)
        return response
