"""Late staff notifications are seen (admin banner, ERROR log, status command) and handled (the outbox)."""

import logging
from datetime import timedelta
from io import StringIO
from smtplib import SMTPServerDisconnected

import pytest
from django.core import mail
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from clinic.logs import JsonFormatter
from clinic.roles import CLINIC_ADMINS, COUNSELOR_LEADS, COUNSELORS, EDITORS, MODERATORS
from contacts.audit.models import AuditEvent
from contacts.messages.services import RequestMeta, message_submit
from contacts.models import Notification
from contacts.notifications.outbox import notification_queue, notifications_send_pending
from tests.factories import PATIENT, make_member, make_staff

pytestmark = pytest.mark.django_db

INDEX = reverse("admin:index")
OUTBOX = reverse("admin:contacts_notification_changelist")


class BrokenBackend:
    """A mail server that hangs up, repeating the email in its error (as a chatty server might)."""

    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise SMTPServerDisconnected(f"down while sending {messages[0].subject}: {messages[0].body}")


@pytest.fixture(autouse=True)
def _staff_addresses(settings):
    settings.COUNSELORS_EMAIL = ["counselors@clinic.test"]
    settings.NOTIFICATION_ALARM_MINUTES = 15


def make_notification(*, minutes_ago: float = 0, sent: bool = False, **overrides) -> Notification:
    notification = notification_queue(
        recipients=["counselors@clinic.test"], subject="New message #7", body="New message #7 – open it: https://x/"
    )
    created = timezone.now() - timedelta(minutes=minutes_ago)
    changes = {"created_at": created, "sent_at": created if sent else None, **overrides}
    Notification.objects.filter(pk=notification.pk).update(**changes)
    notification.refresh_from_db()
    return notification


def late_patient_notification(settings) -> Notification:
    """The notification of a real patient's message, queued 40 minutes ago and never sent."""
    settings.SITE_URL = "https://clinic.test"
    message_submit(**PATIENT, request_meta=RequestMeta(form_token="t1"))
    notification = Notification.objects.get()
    Notification.objects.filter(pk=notification.pk).update(created_at=timezone.now() - timedelta(minutes=40))
    return notification


def signed_in(role: str = "", *, superuser: bool = False) -> Client:
    client = Client()
    username = f"staff-{role.lower().replace(' ', '-')}"
    client.force_login(make_staff("root", superuser=True) if superuser else make_member(username, role))
    return client


def banner(client: Client) -> str | None:
    body = client.get(INDEX).content.decode()
    if 'id="late-notifications"' not in body:
        return None
    start = body.index('id="late-notifications"')
    return body[start : body.index("</ul>", start)]


# The banner on the admin home page


@pytest.mark.parametrize("role", [COUNSELORS, COUNSELOR_LEADS, CLINIC_ADMINS])
def test_staff_who_work_messages_see_how_many_notifications_are_late_and_since_when(role):
    oldest = make_notification(minutes_ago=40)
    make_notification(minutes_ago=20)
    make_notification(minutes_ago=5)  # waiting, not late yet
    make_notification(minutes_ago=60, sent=True)

    text = banner(signed_in(role))

    assert text is not None
    assert "2 staff email notifications not sent for over 15 minutes" in text
    since = timezone.localtime(oldest.created_at)
    assert f"{since:%b}. {since.day}, {since.year}" in text or f"{since:%B} {since.day}, {since.year}" in text


@pytest.mark.parametrize("role", [EDITORS, MODERATORS])
def test_editors_and_moderators_do_not_see_the_banner(role):
    make_notification(minutes_ago=40)

    assert banner(signed_in(role)) is None


def test_no_banner_while_nothing_is_late():
    make_notification(minutes_ago=14)
    make_notification(minutes_ago=60, sent=True)

    assert banner(signed_in(COUNSELORS)) is None


def test_the_banner_links_to_the_outbox_only_for_staff_who_may_open_it():
    make_notification(minutes_ago=40)
    link = f'href="{OUTBOX}?delivery=late"'

    assert link not in banner(signed_in(COUNSELORS))
    assert link in banner(signed_in(COUNSELOR_LEADS))


def test_the_banner_names_no_patient_and_nothing_about_the_message(settings):
    late_patient_notification(settings)

    text = banner(signed_in(COUNSELORS))

    assert "1 staff email notification not sent" in text
    for secret in ("Jordan", "Private", "7086134751", "jordan.private", "secret", "treatment", "New message #"):
        assert secret not in text


# The ERROR log line of each sender run


def test_each_sender_run_logs_an_error_while_a_notification_is_late_with_no_patient_data(settings, caplog):
    settings.EMAIL_BACKEND = "tests.contacts.test_notification_outbox.BrokenBackend"
    late_patient_notification(settings)
    make_notification(minutes_ago=1)

    with caplog.at_level(logging.INFO):
        notifications_send_pending()

    alarms = [record for record in caplog.records if record.levelno == logging.ERROR]
    assert len(alarms) == 1
    line = JsonFormatter().format(alarms[0])
    assert alarms[0].name == "contacts.notifications.outbox"
    assert "1 staff notification(s) late: unsent for over 15 minutes, the oldest queued 40 minutes ago" in line
    assert "(2 waiting in all)" in line
    everything = "\n".join(JsonFormatter().format(record) for record in caplog.records)
    for secret in ("Jordan", "Private", "7086134751", "613-4751", "jordan.private", "secret", "treatment"):
        assert secret not in everything
    # Not even what the notification says: numbers, ages and the error's kind only.
    assert "New message #" not in everything
    assert "/admin/contacts/message/" not in everything


def test_no_error_is_logged_while_nothing_is_late(caplog):
    make_notification(minutes_ago=14, next_attempt_at=timezone.now() + timedelta(minutes=4))  # waiting, not late

    notifications_send_pending()

    assert not [record for record in caplog.records if record.levelno >= logging.ERROR]


# notifications_status, for monitoring


def test_the_status_command_exits_0_while_nothing_is_late():
    make_notification(minutes_ago=14)
    out = StringIO()

    call_command("notifications_status", stdout=out)

    assert out.getvalue() == "OK: 1 staff notification(s) waiting, none late.\n"


def test_the_status_command_exits_1_and_says_how_many_are_late(settings):
    settings.NOTIFICATION_ALARM_MINUTES = 30
    make_notification(minutes_ago=45)
    make_notification(minutes_ago=20)
    out = StringIO()

    with pytest.raises(SystemExit) as exit_status:
        call_command("notifications_status", stdout=out)

    assert exit_status.value.code == 1
    assert out.getvalue().startswith("LATE: 1 staff notification(s) unsent for over 30 minutes, the oldest since ")
    assert "(45 minutes); 2 waiting in all." in out.getvalue()


# The outbox in the admin


@pytest.mark.parametrize(("role", "status"), [(COUNSELOR_LEADS, 200), (CLINIC_ADMINS, 200)])
def test_counselor_leads_and_clinic_admins_read_the_outbox(role, status, django_assert_max_num_queries):
    failing = make_notification(minutes_ago=40, attempts=3, last_error="SMTPServerDisconnected")
    make_notification(minutes_ago=60, sent=True)
    client = signed_in(role)

    with django_assert_max_num_queries(10):
        response = client.get(OUTBOX)

    assert response.status_code == status
    body = response.content.decode()
    assert "New message #7" in body
    assert "SMTPServerDisconnected" in body
    assert "counselors@clinic.test" in body
    assert reverse("admin:contacts_notification_change", args=[failing.pk]) in body


@pytest.mark.parametrize("role", [COUNSELORS, EDITORS, MODERATORS])
def test_counselors_editors_and_moderators_cannot_open_the_outbox(role):
    notification = make_notification()
    client = signed_in(role)

    assert client.get(OUTBOX).status_code == 403
    assert client.get(reverse("admin:contacts_notification_change", args=[notification.pk])).status_code == 403


def test_the_outbox_filters_late_waiting_and_sent():
    make_notification(minutes_ago=40, subject="late one")
    make_notification(minutes_ago=2, subject="fresh one")
    make_notification(minutes_ago=60, sent=True, subject="sent one")
    client = signed_in(COUNSELOR_LEADS)

    def shown(delivery: str) -> set[str]:
        rows = client.get(OUTBOX, {"delivery": delivery}).context["cl"].result_list
        return {row.subject for row in rows}

    assert shown("late") == {"late one"}
    assert shown("waiting") == {"late one", "fresh one"}
    assert shown("sent") == {"sent one"}


@pytest.mark.parametrize("superuser", [False, True])
def test_nobody_adds_or_changes_a_notification_and_only_superusers_delete_one(superuser):
    notification = make_notification(minutes_ago=40)
    client = signed_in(CLINIC_ADMINS, superuser=superuser)
    change = reverse("admin:contacts_notification_change", args=[notification.pk])

    assert client.get(reverse("admin:contacts_notification_add")).status_code == 403
    client.post(change, {"subject": "Changed", "recipients": "someone@else.test", "body": "x"})
    notification.refresh_from_db()
    assert (notification.subject, notification.recipients) == ("New message #7", "counselors@clinic.test")
    page = client.get(change).content.decode()
    assert 'name="subject"' not in page
    assert 'name="_save"' not in page  # the read-only page, without a Save button

    delete = reverse("admin:contacts_notification_delete", args=[notification.pk])
    assert client.post(delete, {"post": "yes"}).status_code == (302 if superuser else 403)
    assert Notification.objects.filter(pk=notification.pk).exists() is not superuser


def send_again(client: Client, *notifications: Notification):
    return client.post(
        OUTBOX,
        {"action": "send_again_now", "_selected_action": [n.pk for n in notifications]},
        follow=True,
    )


def test_send_again_sends_the_chosen_waiting_notifications_now_and_is_audited():
    backed_off = make_notification(
        minutes_ago=40, attempts=9, next_attempt_at=timezone.now() + timedelta(hours=1), subject="backed off"
    )
    already_sent = make_notification(minutes_ago=60, sent=True, subject="already sent")
    untouched = make_notification(
        minutes_ago=30, subject="not chosen", next_attempt_at=timezone.now() + timedelta(hours=1)
    )
    client = signed_in(COUNSELOR_LEADS)

    response = send_again(client, backed_off, already_sent)

    assert response.status_code == 200
    assert "1 notification(s) sent." in response.content.decode()
    assert [email.subject for email in mail.outbox] == ["backed off"]
    backed_off.refresh_from_db()
    assert backed_off.sent_at is not None
    assert backed_off.attempts == 10
    untouched.refresh_from_db()
    assert untouched.sent_at is None
    event = AuditEvent.objects.get()
    assert (event.action, event.actor_name, event.message_id) == (
        AuditEvent.Action.NOTIFICATIONS_RESENT,
        "staff-counselor-leads",
        None,
    )
    assert event.detail == f"notifications #{backed_off.pk}"


def test_send_again_with_the_mail_server_down_says_so_and_leaves_it_to_the_sender(settings):
    settings.EMAIL_BACKEND = "tests.contacts.test_notification_outbox.BrokenBackend"
    notification = make_notification(minutes_ago=40, attempts=4)

    response = send_again(signed_in(CLINIC_ADMINS), notification)

    assert "0 notification(s) sent; 1 still waiting" in response.content.decode()
    notification.refresh_from_db()
    assert (notification.sent_at, notification.attempts, notification.last_error) == (None, 5, "SMTPServerDisconnected")
    assert AuditEvent.objects.filter(action=AuditEvent.Action.NOTIFICATIONS_RESENT).count() == 1


@pytest.mark.parametrize("role", [COUNSELORS, MODERATORS])
def test_staff_without_the_outbox_cannot_send_again(role):
    notification = make_notification(minutes_ago=40, next_attempt_at=timezone.now() + timedelta(hours=1))

    response = send_again(signed_in(role), notification)

    assert response.status_code == 403
    assert mail.outbox == []
    assert not AuditEvent.objects.exists()


def test_send_again_needs_the_csrf_token():
    notification = make_notification(minutes_ago=40, next_attempt_at=timezone.now() + timedelta(hours=1))
    client = Client(enforce_csrf_checks=True)
    client.force_login(make_member("lead", COUNSELOR_LEADS))

    response = client.post(OUTBOX, {"action": "send_again_now", "_selected_action": [notification.pk]})

    assert response.status_code == 403
    assert mail.outbox == []
    assert not AuditEvent.objects.exists()
