"""The notification outbox, read-only: what staff were told by email, what still waits, and why."""

from django.contrib import admin, messages
from django.utils import timezone

from clinic.admin_actions import SelectionCheckMixin
from contacts.notifications.models import Notification
from contacts.notifications.outbox import notifications_send_again

SENT, WAITING, LATE = "sent", "waiting", "late"
DETAIL_FIELDS = (
    "created_at",
    "subject",
    "recipients",
    "body",
    "attempts",
    "last_error",
    "next_attempt_at",
    "claimed_until",
    "sent_at",
)


class DeliveryFilter(admin.SimpleListFilter):
    title = "delivery"
    parameter_name = "delivery"

    def lookups(self, request, model_admin):
        return [
            (WAITING, "Waiting (not sent yet)"),
            (LATE, "Late (waiting longer than the alarm allows)"),
            (SENT, "Sent"),
        ]

    def queryset(self, request, queryset):
        if self.value() == WAITING:
            return queryset.unsent()
        if self.value() == LATE:
            return queryset.late(timezone.now())
        if self.value() == SENT:
            return queryset.filter(sent_at__isnull=False)
        return queryset


@admin.register(Notification)
class NotificationAdmin(SelectionCheckMixin, admin.ModelAdmin):
    """Every staff notification and its delivery, for Counselor leads and Clinic admins.

    Nobody adds or edits one: the sender alone records attempts. Only superusers may delete one,
    the way out for a notification that can never be delivered (its recipients no longer exist),
    which would otherwise be retried, and late, for ever. "Send again now" is the one action.
    """

    list_display = ["created_at", "subject", "recipients", "attempts", "last_error", "next_attempt", "sent_at"]
    list_filter = [DeliveryFilter]
    ordering = ["-created_at", "-pk"]
    show_full_result_count = False
    list_per_page = 100
    fields = readonly_fields = DETAIL_FIELDS
    actions = ["send_again_now"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser

    def has_resend_permission(self, request) -> bool:
        # Sending again only makes due now what the scheduled sender would send anyway.
        return self.has_view_permission(request)

    @admin.display(description="next attempt", ordering="next_attempt_at")
    def next_attempt(self, obj: Notification):
        return "-" if obj.sent_at else obj.next_attempt_at

    @admin.action(description="Send again now (selected notifications not sent yet)", permissions=["resend"])
    def send_again_now(self, request, queryset):
        sent, waiting = notifications_send_again(notifications=queryset, actor=request.user)
        if not sent and not waiting:
            self.message_user(request, "All the selected notifications were sent already.", messages.INFO)
        elif waiting:
            self.message_user(
                request,
                f"{sent} notification(s) sent; {waiting} still waiting: the mail server did not take them "
                "(see “last error”). The sender keeps trying.",
                messages.WARNING,
            )
        else:
            self.message_user(request, f"{sent} notification(s) sent.", messages.SUCCESS)
