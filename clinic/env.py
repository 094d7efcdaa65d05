"""Reading settings from environment variables: each helper turns a bad value into a clear error.

An unset or blank variable means its default; a value that cannot mean anything (a word where a
number belongs, an address that is not one) stops start-up with `ImproperlyConfigured` naming
the variable, rather than running with a guess.
"""

import ipaddress
import os

from django.core.exceptions import ImproperlyConfigured


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default).strip()


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or not value.strip():
        return default
    if value.strip().lower() in {"1", "true", "yes", "on"}:
        return True
    if value.strip().lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be one of 1/0, true/false, yes/no, on/off; got {value!r}.")


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None or not value.strip():
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number; got {value!r}.") from None


def env_list(name: str, default: list[str] | None = None) -> list[str]:
    value = os.environ.get(name)
    if value is None or not value.strip():
        return list(default or [])
    return [item.strip() for item in value.split(",") if item.strip()]


def env_networks(name: str) -> list[str]:
    """Comma-separated IP addresses and networks ("127.0.0.1, 10.0.0.0/8"), each checked."""
    networks = []
    for item in env_list(name):
        try:
            networks.append(str(ipaddress.ip_network(item)))
        except ValueError:
            raise ImproperlyConfigured(
                f"{name} takes IP addresses and networks such as 127.0.0.1 or 10.0.0.0/8; got {item!r}."
            ) from None
    return networks


def env_rate(name: str, default: str) -> tuple[int, int]:
    """A rate written "hits/seconds", e.g. "5/600" for 5 per 10 minutes."""
    value = env_str(name, default) or default
    try:
        hits, seconds = (int(part) for part in value.split("/"))
    except ValueError:
        raise ImproperlyConfigured(f"{name} must look like 5/600 (hits/seconds); got {value!r}.") from None
    if hits < 1 or seconds < 1:
        raise ImproperlyConfigured(f"{name} needs at least 1 hit in at least 1 second; got {value!r}.")
    return hits, seconds
