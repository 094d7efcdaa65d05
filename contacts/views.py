"""The "Message a counselor" form and its confirmation page."""

from urllib.parse import urlsplit

from django.conf import settings
from django.core import signing
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.decorators import method_decorator
from django.views import csrf
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters, sensitive_variables
from django.views.generic import FormView, TemplateView

from contacts.abuse import SIGNING_SALT, client_key, rate_limit_exceeded
from contacts.forms import MessageForm, safe_page_path
from contacts.services import RequestMeta, message_submit

# The confirmation page reads what it needs from here, never from its URL.
SESSION_KEY = "contacts.message_sent"


def referring_path(request) -> str:
    """The path of the page on this site that linked to the form, if the browser said so."""
    referer = urlsplit(request.META.get("HTTP_REFERER", ""))
    if referer.netloc and referer.netloc != request.get_host():
        return ""
    return safe_page_path(referer.path)


# No message text or contact detail may reach an error report: every POST field is hidden.
@method_decorator(sensitive_post_parameters(), name="dispatch")
# Typed answers and the confirmation are for this browser only: no shared or back-button copies.
@method_decorator(never_cache, name="dispatch")
class MessageCreateView(FormView):
    template_name = "contacts/message_form.html"
    form_class = MessageForm
    success_url = reverse_lazy("contacts:message-sent")

    def get_initial(self):
        return {**super().get_initial(), "sent_from": referring_path(self.request) or self.request.path}

    @sensitive_variables()
    def post(self, request, *args, **kwargs):
        form = self.get_form()
        if not form.is_valid():
            return self.form_invalid(form)
        limit, window = settings.MESSAGE_RATE_LIMIT
        if rate_limit_exceeded(scope="message", key=client_key(request), limit=limit, window=window):
            # Keep everything they typed on the page: only the sending waits.
            context = self.get_context_data(form=form, rate_limited=True, retry_minutes=max(1, -(-window // 60)))
            response = self.render_to_response(context, status=429)
            response["Retry-After"] = str(window)
            return response
        return self.form_valid(form)

    @sensitive_variables()
    def form_valid(self, form):
        message = message_submit(
            **form.submission(),
            request_meta=RequestMeta(
                client_hash=client_key(self.request),
                sent_from=form.cleaned_data.get("sent_from", ""),
                form_token=form.cleaned_data.get("started", ""),
                spam_reason=form.spam_reason(),
            ),
        )
        self.request.session[SESSION_KEY] = {"urgent": message.urgent, "method": message.preferred_method}
        return redirect(self.get_success_url())


@method_decorator(never_cache, name="dispatch")
class MessageSentView(TemplateView):
    template_name = "contacts/message_sent.html"

    def get(self, request, *args, **kwargs):
        if SESSION_KEY not in request.session:
            return redirect(reverse("contacts:message-create"))
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        sent = self.request.session[SESSION_KEY]
        return {**super().get_context_data(**kwargs), "urgent": bool(sent.get("urgent")), "method": sent.get("method")}


@sensitive_post_parameters()
@sensitive_variables()
def csrf_failure(request, reason=""):
    """A message form refused by CSRF protection comes back filled in, never lost.

    The usual cause is an expired or blocked security cookie, not an attack. The patient sees
    their words again with a fresh token and presses Send once more; nothing was stored. Every
    other refused form gets Django's standard 403 page.
    """
    if request.path != reverse("contacts:message-create") or request.method != "POST":
        return csrf.csrf_failure(request, reason=reason)
    kept = {key: value for key, value in request.POST.items() if key not in {"csrfmiddlewaretoken", "started"}}
    form = MessageForm(initial=kept)
    # Keep the original start time, so that pressing Send again at once is not taken for a bot.
    started = request.POST.get("started", "")
    try:
        signing.loads(started, salt=SIGNING_SALT)
    except signing.BadSignature:
        pass
    else:
        form.initial["started"] = started
    return render(request, "contacts/message_form.html", {"form": form, "csrf_failed": True}, status=403)
