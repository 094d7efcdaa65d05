"""Load balancer probes: /healthz (process alive) and /readyz (database answers)."""

from unittest import mock

import pytest
from django.db import OperationalError

BALANCER_HOST = "10.0.3.17"


def test_liveness_answers_ok_without_touching_the_database(client):
    # No django_db mark: pytest-django fails the test if anything opens a database connection.
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.content == b"ok\n"
    assert "no-store" in response.headers["Cache-Control"]


def test_liveness_stays_ok_while_the_database_is_down(client):
    with mock.patch("django.db.backends.base.base.BaseDatabaseWrapper.cursor", side_effect=OperationalError):
        response = client.get("/healthz")

    assert response.status_code == 200


@pytest.mark.django_db
def test_readiness_answers_ok_when_the_database_answers(client, django_assert_num_queries):
    with django_assert_num_queries(1):
        response = client.get("/readyz")

    assert response.status_code == 200
    assert response.content == b"ok\n"
    assert "no-store" in response.headers["Cache-Control"]


@pytest.mark.django_db
def test_readiness_answers_503_when_the_database_is_down(client):
    with mock.patch(
        "django.db.backends.base.base.BaseDatabaseWrapper.cursor", side_effect=OperationalError("connection refused")
    ):
        response = client.get("/readyz")

    assert response.status_code == 503
    assert response.content == b"database unavailable\n"


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/healthz", "/readyz"])
def test_probes_by_the_balancers_private_address_are_answered_although_it_is_not_an_allowed_host(client, path):
    assert client.get("/", headers={"host": BALANCER_HOST}).status_code == 400

    response = client.get(path, headers={"host": BALANCER_HOST})

    assert response.status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/healthz", "/readyz"])
def test_probes_over_plain_http_are_not_redirected_to_https(client, settings, path):
    settings.SECURE_SSL_REDIRECT = True
    assert client.get("/").status_code == 301

    response = client.get(path, headers={"host": BALANCER_HOST})

    assert response.status_code == 200


def test_probes_refuse_other_methods(client):
    assert client.post("/healthz").status_code == 405
    assert client.head("/healthz").status_code == 200


def test_probes_set_no_cookies(client):
    assert not client.get("/healthz").cookies
