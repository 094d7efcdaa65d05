"""Admin sign-in: lockout by username and address together, cool-off, configurable admin path."""

import importlib
from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.urls import clear_url_caches, reverse

import clinic.urls
from tests.factories import make_staff

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-test-password"


@pytest.fixture
def lockout(settings):
    settings.AXES_FAILURE_LIMIT = 3
    settings.AXES_COOLOFF_TIME = timedelta(minutes=15)
    make_staff("nurse")
    make_staff("doctor")


def sign_in(client, username, password, address="203.0.113.9"):
    return client.post(
        reverse("admin:login"),
        {"username": username, "password": password, "next": reverse("admin:index")},
        REMOTE_ADDR=address,
    )


def test_wrong_passwords_below_the_limit_show_the_normal_form_error(client, lockout):
    for _ in range(2):
        response = sign_in(client, "nurse", "wrong")
        assert response.status_code == 200
        assert "Please enter the correct username and password" in response.content.decode()


def test_reaching_the_failure_limit_answers_429_with_the_clinic_phone(client, lockout):
    for _ in range(2):
        sign_in(client, "nurse", "wrong")

    response = sign_in(client, "nurse", "wrong")

    body = response.content.decode()
    assert response.status_code == 429
    assert "Sign-in paused" in body
    assert "(708) 613-4750" in body
    assert 'href="tel:+17086134750"' in body
    assert "15 minutes" in body
    assert "default-src 'none'" in response.headers["Content-Security-Policy"]


def test_the_lockout_says_when_to_try_again_and_is_never_stored(client, lockout, settings):
    settings.AXES_COOLOFF_TIME = timedelta(minutes=20)
    for _ in range(3):
        response = sign_in(client, "nurse", "wrong")

    assert response.status_code == 429
    assert response.headers["Retry-After"] == "1200"
    assert "no-store" in response.headers["Cache-Control"]
    assert "public" not in response.headers["Cache-Control"]
    assert "20 minutes" in response.content.decode()


def test_a_try_while_paused_is_told_the_whole_cool_off_again(client, lockout):
    for _ in range(3):
        sign_in(client, "nurse", "wrong")
    for attempt in AccessAttempt.objects.all():
        attempt.attempt_time -= timedelta(minutes=14)
        attempt.save()

    response = sign_in(client, "nurse", PASSWORD)

    # The refused try started the cool-off again (axes' default), so the wait is the whole of it:
    # 14 minutes later (28 after the failures) sign-in is still paused.
    assert response.status_code == 429
    assert response.headers["Retry-After"] == "900"
    for attempt in AccessAttempt.objects.all():
        attempt.attempt_time -= timedelta(minutes=14)
        attempt.save()
    assert sign_in(client, "nurse", PASSWORD).status_code == 429


def test_a_locked_out_user_cannot_sign_in_even_with_the_right_password(client, lockout):
    for _ in range(3):
        sign_in(client, "nurse", "wrong")

    response = sign_in(client, "nurse", PASSWORD)

    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_another_username_from_the_same_address_is_not_locked_out(client, lockout):
    for _ in range(3):
        sign_in(client, "nurse", "wrong")

    response = sign_in(client, "doctor", PASSWORD)

    assert response.status_code == 302
    assert response.headers["Location"] == reverse("admin:index")


def test_the_same_username_from_another_address_is_not_locked_out(client, lockout):
    for _ in range(3):
        sign_in(client, "nurse", "wrong", address="203.0.113.9")

    assert sign_in(client, "nurse", PASSWORD, address="198.51.100.4").status_code == 302


def test_lockout_uses_the_address_our_trusted_proxy_reports(client, lockout, settings):
    settings.TRUSTED_PROXIES = ["10.0.0.2"]
    for _ in range(3):
        client.post(
            reverse("admin:login"),
            {"username": "nurse", "password": "wrong"},
            REMOTE_ADDR="10.0.0.2",
            headers={"x-forwarded-for": "203.0.113.9"},
        )

    assert AccessAttempt.objects.get().ip_address == "203.0.113.9"
    other_client_same_proxy = client.post(
        reverse("admin:login"),
        {"username": "nurse", "password": PASSWORD},
        REMOTE_ADDR="10.0.0.2",
        headers={"x-forwarded-for": "198.51.100.4"},
    )
    assert other_client_same_proxy.status_code == 302


def test_sign_in_works_again_after_the_cool_off(client, lockout):
    for _ in range(3):
        sign_in(client, "nurse", "wrong")
    assert sign_in(client, "nurse", PASSWORD).status_code == 429

    # Let the cool-off pass: the failures now lie 15 minutes and a second in the past.
    for attempt in AccessAttempt.objects.all():
        attempt.attempt_time -= timedelta(minutes=15, seconds=1)
        attempt.save()

    response = sign_in(client, "nurse", PASSWORD)

    assert response.status_code == 302
    assert client.session["_auth_user_id"]


def test_still_locked_just_before_the_cool_off_ends(client, lockout):
    for _ in range(3):
        sign_in(client, "nurse", "wrong")
    for attempt in AccessAttempt.objects.all():
        attempt.attempt_time -= timedelta(minutes=14)
        attempt.save()

    assert sign_in(client, "nurse", PASSWORD).status_code == 429


@pytest.fixture
def admin_at_staff_door(settings):
    original = settings.ADMIN_PATH
    settings.ADMIN_PATH = "staff-door/"
    importlib.reload(clinic.urls)
    clear_url_caches()
    yield
    settings.ADMIN_PATH = original
    importlib.reload(clinic.urls)
    clear_url_caches()


def test_admin_lives_at_the_configured_path(client, admin_at_staff_door):
    assert client.get("/staff-door/login/").status_code == 200
    assert reverse("admin:index") == "/staff-door/"
    assert client.get("/admin/login/").status_code == 404


def test_robots_txt_disallows_the_configured_admin_path(client, admin_at_staff_door):
    body = client.get("/robots.txt").content.decode()

    assert "Disallow: /staff-door/" in body
    assert "/admin/" not in body


def test_robots_txt_disallows_the_default_admin_path(client):
    response = client.get("/robots.txt")

    assert response.headers["Content-Type"] == "text/plain; charset=utf-8"
    assert "Disallow: /admin/" in response.content.decode()
