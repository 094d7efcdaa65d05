"""Production settings, read from the documented environment variables in a fresh process."""

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

from dotenv import dotenv_values

PROJECT = Path(__file__).resolve().parents[2]


def production_env(**overrides: str) -> dict[str, str]:
    """The variables documented in .env.example (with a real secret key) and nothing else of ours."""
    env = {
        k: v for k, v in os.environ.items() if not k.startswith("DJANGO_") and k not in {"DATABASE_URL", "REDIS_URL"}
    }
    env.update({k: v or "" for k, v in dotenv_values(PROJECT / ".env.example").items()})
    env["DJANGO_SECRET_KEY"] = secrets.token_urlsafe(50)
    env.update(overrides)
    return env


def run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: S603 - our own interpreter and fixed arguments
        [sys.executable, *args], cwd=PROJECT, env=env, capture_output=True, text=True, timeout=120, check=False
    )


def read_settings(env: dict[str, str], *names: str) -> dict:
    code = (
        "import json, django; django.setup(); from django.conf import settings; "
        f"print(json.dumps({{n: getattr(settings, n) for n in {list(names)!r}}}, default=str))"
    )
    result = run(["-c", code], {**env, "DJANGO_SETTINGS_MODULE": "clinic.settings"})
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.splitlines()[-1])


def test_check_deploy_reports_nothing_under_the_documented_production_environment():
    result = run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], production_env())

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_check_deploy_fails_when_a_production_safeguard_is_switched_off():
    result = run(
        ["manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        production_env(DJANGO_SECURE_COOKIES="0", DJANGO_SECURE_SSL_REDIRECT="0"),
    )

    assert result.returncode != 0
    assert "security.W008" in result.stderr
    assert "security.W012" in result.stderr
    assert "security.W016" in result.stderr


def test_production_turns_on_https_only_settings():
    values = read_settings(
        production_env(),
        "DEBUG",
        "SECURE_SSL_REDIRECT",
        "SECURE_PROXY_SSL_HEADER",
        "SECURE_HSTS_SECONDS",
        "SECURE_HSTS_INCLUDE_SUBDOMAINS",
        "SECURE_HSTS_PRELOAD",
        "SESSION_COOKIE_SECURE",
        "SESSION_COOKIE_HTTPONLY",
        "SESSION_COOKIE_NAME",
        "CSRF_COOKIE_SECURE",
        "CSRF_COOKIE_NAME",
        "SESSION_ENGINE",
        "ADMINS",
    )

    assert values == {
        "DEBUG": False,
        "SECURE_SSL_REDIRECT": True,
        "SECURE_PROXY_SSL_HEADER": ["HTTP_X_FORWARDED_PROTO", "https"],
        "SECURE_HSTS_SECONDS": 31536000,
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": True,
        "SECURE_HSTS_PRELOAD": False,
        "SESSION_COOKIE_SECURE": True,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_NAME": "__Host-sessionid",
        "CSRF_COOKIE_SECURE": True,
        "CSRF_COOKIE_NAME": "__Host-csrftoken",
        # Sessions never depend on Redis, which .env.example configures for rate limits.
        "SESSION_ENGINE": "django.contrib.sessions.backends.db",
        "ADMINS": [],
    }


def test_environment_variables_configure_sign_in_admin_path_sessions_preload_and_admins():
    env = production_env(
        DJANGO_ADMIN_PATH="/staff-door",
        DJANGO_LOGIN_FAILURE_LIMIT="7",
        DJANGO_LOGIN_COOLOFF_MINUTES="45",
        DJANGO_SESSION_IDLE_MINUTES="20",
        DJANGO_HSTS_PRELOAD="1",
        DJANGO_ADMINS="Ops Team <ops@clinic.example.org>, Dr. Lee <lee@clinic.example.org>",
    )

    values = read_settings(
        env,
        "ADMIN_PATH",
        "AXES_FAILURE_LIMIT",
        "AXES_COOLOFF_TIME",
        "SESSION_COOKIE_AGE",
        "SECURE_HSTS_PRELOAD",
        "SILENCED_SYSTEM_CHECKS",
        "ADMINS",
    )

    assert values == {
        "ADMIN_PATH": "staff-door/",
        "AXES_FAILURE_LIMIT": 7,
        "AXES_COOLOFF_TIME": "0:45:00",
        "SESSION_COOKIE_AGE": 1200,
        "SECURE_HSTS_PRELOAD": True,
        "SILENCED_SYSTEM_CHECKS": [],
        "ADMINS": [["Ops Team", "ops@clinic.example.org"], ["Dr. Lee", "lee@clinic.example.org"]],
    }


def test_debug_on_a_laptop_uses_plain_cookies_and_no_https_redirect():
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    values = read_settings(
        {**env, "DJANGO_DEBUG": "1"},
        "SECURE_SSL_REDIRECT",
        "SESSION_COOKIE_SECURE",
        "SESSION_COOKIE_NAME",
        "SECURE_HSTS_SECONDS",
    )

    assert values == {
        "SECURE_SSL_REDIRECT": False,
        "SESSION_COOKIE_SECURE": False,
        "SESSION_COOKIE_NAME": "sessionid",
        "SECURE_HSTS_SECONDS": 0,
    }


def test_an_empty_admin_path_is_refused_at_startup():
    result = run(["manage.py", "check"], production_env(DJANGO_ADMIN_PATH="/"))

    assert result.returncode != 0
    assert "DJANGO_ADMIN_PATH must not be empty" in result.stderr
