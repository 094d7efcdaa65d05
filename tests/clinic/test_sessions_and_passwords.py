"""Staff sessions end after the idle time; weak passwords are refused."""

from datetime import timedelta

import pytest
from django.contrib.auth.password_validation import validate_password
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from tests.factories import make_staff

pytestmark = pytest.mark.django_db


def current_session(client) -> Session:
    return Session.objects.get(session_key=client.session.session_key)


def test_staff_session_expires_after_the_idle_time(client, settings):
    # Sessions stored in the database only: with a cache URL set (cached_db), the copy in the
    # cache would outlive the database row this test ages.
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.db"
    client.force_login(make_staff("nurse"))
    assert client.get(reverse("admin:index")).status_code == 200

    Session.objects.update(expire_date=timezone.now() - timedelta(seconds=1))
    response = client.get(reverse("admin:index"))

    assert response.status_code == 302
    assert response.headers["Location"].startswith(reverse("admin:login"))


def test_each_request_moves_the_idle_deadline_forward(client, settings):
    settings.SESSION_COOKIE_AGE = 30 * 60
    client.force_login(make_staff("nurse"))
    Session.objects.update(expire_date=timezone.now() + timedelta(minutes=1))

    assert client.get(reverse("admin:index")).status_code == 200

    remaining = current_session(client).expire_date - timezone.now()
    assert timedelta(minutes=29) < remaining <= timedelta(minutes=30)


@pytest.mark.parametrize(
    "password",
    ["short1!", "password1234", "123456789012", "nurse-nurse-nurse"],
    ids=["too short", "common", "only digits", "like the username"],
)
def test_weak_staff_passwords_are_refused(password):
    user = make_staff("nurse-nurse-nurse")

    with pytest.raises(ValidationError):
        validate_password(password, user=user)


def test_a_long_uncommon_password_is_accepted():
    validate_password("lantern-orchard-velvet-42", user=make_staff("nurse"))


def test_admin_refuses_a_weak_password_when_creating_a_staff_account(client, admin_user):
    client.force_login(admin_user)

    response = client.post(
        reverse("admin:auth_user_add"),
        {"username": "newnurse", "password1": "password1234", "password2": "password1234", "usable_password": "true"},
    )

    assert response.status_code == 200
    assert "This password is too common." in response.content.decode()
