"""What the contact form's view tests share: its addresses, a POST that runs the sender, error reports."""

import sys

from django.test import RequestFactory
from django.views.debug import ExceptionReporter

from contacts.messages.views import MessageCreateView
from contacts.notifications.outbox import notifications_send_pending
from tests.factories import message_post_data

URL = "/contact/"
SENT = "/contact/sent/"


def broken_create(*args, **kwargs):
    raise RuntimeError("database exploded")


def exception_report_for(data: dict) -> tuple[str, str]:
    """The text and HTML error reports Django would email for a failing POST of `data`.

    Kept far from the test data so the report's source excerpts cannot contain it.
    """
    request = RequestFactory().post(URL, data)
    del data  # this helper's own frame is in the report too
    request.session = {}
    request._dont_enforce_csrf_checks = True
    try:
        MessageCreateView.as_view()(request)
    except Exception:  # noqa: BLE001 - whatever the view raised is what the report shows
        reporter = ExceptionReporter(request, *sys.exc_info())
        return reporter.get_traceback_text(), reporter.get_traceback_html()
    raise AssertionError("the view did not fail")


def post(client, capture, **overrides):
    """POST the form, then run the notification sender once, as cron would."""
    with capture(execute=True):
        response = client.post(URL, message_post_data(**overrides))
    notifications_send_pending()
    return response
