"""Session and CSRF cookies: Secure, HttpOnly where it matters, and __Host- names."""

import pytest
from django.urls import reverse

from tests.factories import make_staff

pytestmark = pytest.mark.django_db


def test_csrf_cookie_on_the_admin_login_page_is_secure_and_host_only(client):
    response = client.get(reverse("admin:login"), secure=True)

    cookie = response.cookies["__Host-csrftoken"]
    assert cookie["secure"] is True
    assert cookie["path"] == "/"
    assert cookie["domain"] == ""
    assert cookie["samesite"] == "Lax"


def test_session_cookie_after_signing_in_is_secure_httponly_and_host_only(client):
    make_staff("nurse")
    client.get(reverse("admin:login"), secure=True)

    response = client.post(
        reverse("admin:login"),
        {"username": "nurse", "password": "a-long-test-password", "next": reverse("admin:index")},
        secure=True,
    )

    assert response.status_code == 302
    cookie = response.cookies["__Host-sessionid"]
    assert cookie["secure"] is True
    assert cookie["httponly"] is True
    assert cookie["path"] == "/"
    assert cookie["domain"] == ""
    assert cookie["samesite"] == "Lax"
    # No Max-Age: the browser forgets the session when it closes.
    assert cookie["max-age"] == ""
    assert "sessionid" not in response.cookies


def test_signed_in_staff_keep_working_with_the_host_prefixed_cookie(client):
    make_staff("nurse")
    client.post(reverse("admin:login"), {"username": "nurse", "password": "a-long-test-password"}, secure=True)

    assert client.get(reverse("admin:index"), secure=True).status_code == 200
