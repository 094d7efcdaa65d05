"""The "Message a counselor" page and its confirmation."""

from django.conf import settings
from django.db import DatabaseError
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.decorators import method_decorator
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters, sensitive_variables
from django.views.generic import FormView, TemplateView

from clinic.csrf import public_form
from clinic.http_cache import public_page
from clinic.http_methods import AllowedMethodsMixin
from contacts.abuse import client_key, rate_limit_exceeded
from contacts.messages.forms import MessageForm
from contacts.messages.services import RequestMeta, message_is_urgent, message_submit
from contacts.outage import not_stored_answer, not_stored_status

TEMPLATE = "contacts/message_form.html"

# The confirmation page reads what it needs (urgent or not, the contact method) from a signed
# cookie scoped to /contact/, never from its URL, and without a server-side session: patients
# get no session row, and no session cookie that would keep them off cached pages.
SENT_COOKIE = "message_sent"
SENT_COOKIE_SALT = "contacts.message-sent"
SENT_COOKIE_AGE = 60 * 60


# No message text or contact detail may reach an error report: every POST field is hidden.
@method_decorator(sensitive_post_parameters(), name="dispatch")
# The blank form is the same for everyone; typed answers sent back are for this browser only (the
# cross-site refusal included: `public_form` is applied first, so never_cache wraps its check).
@method_decorator(public_page, name="get")
@method_decorator(never_cache, name="post")
@public_form
class MessageCreateView(AllowedMethodsMixin, FormView):
    # FormView would also take PUT as a POST.
    http_method_names = ["get", "head", "options", "post"]
    template_name = TEMPLATE
    form_class = MessageForm
    success_url = reverse_lazy("contacts:message-sent")

    def get_initial(self):
        # The page the patient came from is filled in by the page's script (static/js/forms.js).
        return {**super().get_initial(), "sent_from": self.request.path}

    @sensitive_variables()
    def post(self, request, *args, **kwargs):
        form = self.get_form()
        if not form.is_valid():
            return self.form_invalid(form)
        limit, window = settings.MESSAGE_RATE_LIMIT
        limited = rate_limit_exceeded(scope="message", key=client_key(request), limit=limit, window=window)
        # An urgent message is never held back: safety beats flood control.
        if limited and not message_is_urgent(**form.urgency()):
            # Keep everything they typed on the page: only the sending waits.
            context = self.get_context_data(form=form, rate_limited=True, retry_minutes=max(1, -(-window // 60)))
            response = self.render_to_response(context, status=429)
            response["Retry-After"] = str(window)
            return response
        return self.form_valid(form)

    @sensitive_variables()
    def form_valid(self, form):
        try:
            message = message_submit(
                **form.submission(),
                request_meta=RequestMeta(
                    client_hash=client_key(self.request),
                    sent_from=form.cleaned_data.get("sent_from", ""),
                    form_token=form.cleaned_data.get("form_token", ""),
                    spam_reason=form.spam_reason(),
                ),
            )
        except DatabaseError as exc:
            return self.not_sent(form, exc)
        response = redirect(self.get_success_url())
        response.set_signed_cookie(
            SENT_COOKIE,
            f"{int(message.urgent)}:{message.preferred_method}",
            salt=SENT_COOKIE_SALT,
            max_age=SENT_COOKIE_AGE,
            path=reverse("contacts:message-create"),
            secure=settings.SESSION_COOKIE_SECURE,
            httponly=True,
            samesite="Lax",
        )
        return response

    @sensitive_variables()
    def not_sent(self, form, exc: DatabaseError):
        """The form again with everything typed and "Your message was NOT sent" at the top (`contacts.outage`).

        Drawn without reading the database, which may be down.
        """
        urgent = message_is_urgent(**form.urgency())
        context = self.get_context_data(form=form, not_sent=True, urgent=urgent)
        response = self.render_to_response(context, status=not_stored_status(exc))
        return not_stored_answer(self.request, response, exc, what="message")

    @classmethod
    @sensitive_variables()
    def csrf_refused(cls, request, kept: dict):
        """The form again, filled in with what was sent, after a refused cross-site POST (`clinic.csrf`)."""
        return render(request, TEMPLATE, {"form": MessageForm(initial=kept), "csrf_failed": True}, status=403)


@method_decorator(never_cache, name="dispatch")
class MessageSentView(AllowedMethodsMixin, TemplateView):
    template_name = "contacts/message_sent.html"

    def get(self, request, *args, **kwargs):
        sent = request.get_signed_cookie(SENT_COOKIE, default="", salt=SENT_COOKIE_SALT, max_age=SENT_COOKIE_AGE)
        urgent, _, method = sent.partition(":")
        if not method:
            return redirect(reverse("contacts:message-create"))
        return super().get(request, *args, urgent=urgent == "1", method=method, **kwargs)
