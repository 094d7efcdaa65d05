from django.contrib import admin

from contacts.audit.models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Who looked at or changed which message, read-only: nobody adds, edits or deletes a record."""

    list_display = ["created_at", "actor_name", "action", "message_number", "detail"]
    list_filter = ["action", "created_at"]
    search_fields = ["=message_id", "actor_name"]
    search_help_text = "Search by message number or username."
    show_full_result_count = False
    list_per_page = 100
    fields = ["created_at", "actor_name", "actor", "action", "message_number", "detail"]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="message", ordering="message_id")
    def message_number(self, obj: AuditEvent) -> str:
        return f"#{obj.message_id}" if obj.message_id else "-"
