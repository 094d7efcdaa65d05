"""Admin actions on a selection that was tampered with: a warning and the list again, never a 500."""

from django.contrib import messages
from django.contrib.admin import helpers
from django.core.exceptions import ValidationError


class SelectionCheckMixin:
    """For a ModelAdmin with actions: refuses a selection holding something that is not an id.

    The admin filters by the ticked boxes' values as they arrive (`pk__in`), and one that is not a
    number ("abc", "1.5", from a hand-made or tampered form) raises ValueError there, as SQLite
    does for a number too large for any id: a 500. Here the action does not run, nothing
    changes, and the list says why.
    """

    def response_action(self, request, queryset):
        pk = self.model._meta.pk
        try:
            for value in request.POST.getlist(helpers.ACTION_CHECKBOX_NAME):
                pk.clean(value, None)
        except ValidationError:
            self.message_user(
                request,
                "The selection was damaged, so nothing was changed: reload the page and choose again.",
                messages.WARNING,
            )
            return None
        return super().response_action(request, queryset)
