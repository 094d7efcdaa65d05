"""Security headers with their exact values on a page, the admin and a static file."""

import pytest
from django.test import Client
from django.urls import reverse

from tests.factories import make_article

pytestmark = pytest.mark.django_db

EXPECTED_CSP = {
    "default-src": "'none'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "font-src": "'self'",
    "connect-src": "'self'",
    "manifest-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'none'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}

COMMON_HEADERS = {
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
    "Strict-Transport-Security": "max-age=31536000; includeSubDomains",
}


def parse_csp(header: str) -> dict[str, str]:
    """django-csp writes directives in no fixed order; compare them as a mapping."""
    directives = {}
    for part in header.split(";"):
        name, _, value = part.strip().partition(" ")
        directives[name] = value
    return directives


def assert_page_headers(response):
    for name, value in COMMON_HEADERS.items():
        assert response.headers.get(name) == value, name
    assert response.headers["Permissions-Policy"] == "camera=(), microphone=(), geolocation=(), payment=(), usb=()"
    assert parse_csp(response.headers["Content-Security-Policy"]) == EXPECTED_CSP


def test_public_page_carries_every_security_header_with_its_exact_value(client):
    make_article(slug="pain")

    for url in ["/", "/articles/", "/articles/pain/", reverse("contacts:message-create")]:
        response = client.get(url, secure=True)
        assert response.status_code == 200, url
        assert_page_headers(response)


def test_not_found_page_carries_the_same_headers(client):
    response = client.get("/no-such-page/", secure=True)

    assert response.status_code == 404
    assert_page_headers(response)


def test_admin_login_and_changelist_carry_the_same_headers(client, admin_user):
    assert_page_headers(client.get(reverse("admin:login"), secure=True))

    client.force_login(admin_user)
    response = client.get(reverse("admin:articles_article_changelist"), secure=True)

    assert response.status_code == 200
    assert_page_headers(response)


def test_policy_never_allows_inline_or_eval_scripts(client):
    header = client.get("/", secure=True).headers["Content-Security-Policy"]

    assert "unsafe-inline" not in header
    assert "unsafe-eval" not in header
    assert "http:" not in header and "https:" not in header


def test_hsts_preload_is_added_only_when_opted_in(client, settings):
    settings.SECURE_HSTS_PRELOAD = True

    response = client.get("/", secure=True)

    assert response.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"


def test_hsts_is_not_sent_over_plain_http(client):
    assert "Strict-Transport-Security" not in client.get("/").headers


@pytest.mark.parametrize("path", ["/static/css/site.css", "/static/admin/js/core.js", "/static/img/favicon.svg"])
def test_static_files_from_whitenoise_carry_file_security_headers(client, settings, path):
    settings.WHITENOISE_USE_FINDERS = True

    response = client.get(path, secure=True)

    assert response.status_code == 200
    assert response.__class__.__module__.startswith("whitenoise")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Cross-Origin-Resource-Policy"] == "same-origin"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Content-Security-Policy"] == "default-src 'none'; frame-ancestors 'none'; sandbox"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["Cross-Origin-Opener-Policy"] == "same-origin"
    assert response.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    assert "Access-Control-Allow-Origin" not in response.headers


def test_plain_http_is_redirected_to_https_when_the_redirect_is_on(client, settings):
    settings.SECURE_SSL_REDIRECT = True

    response = client.get("/articles/?page=2")

    assert response.status_code == 301
    assert response.headers["Location"] == "https://testserver/articles/?page=2"


def test_requests_the_tls_proxy_marks_as_https_are_not_redirected(client, settings):
    settings.SECURE_SSL_REDIRECT = True

    response = client.get("/", headers={"x-forwarded-proto": "https"})

    assert response.status_code == 200
    assert response.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"


def test_a_form_sent_without_its_csrf_cookie_gets_a_calm_page_that_works_under_the_csp():
    client = Client(enforce_csrf_checks=True)

    response = client.post(reverse("admin:login"), {"username": "x", "password": "y"}, secure=True)

    body = response.content.decode()
    assert response.status_code == 403
    assert "Your form could not be sent" in body
    assert 'href="tel:+17086134750"' in body
    assert "<style" not in body and "style=" not in body
    assert_page_headers(response)
