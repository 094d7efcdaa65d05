"""One JSON object per log line on stdout, built from an allowlist of fields.

A log record about a request carries the whole request object (POST data, cookies, addresses);
this formatter takes only its method and path from it, and from an exception only its type and
where it was raised, never its text. So no patient's words or contact details can reach a log
line by accident, whatever a view or a library logs.
"""

import json
import logging
import traceback
from datetime import UTC, datetime

# Extra attributes of a record that are safe to copy into the line when they hold plain values.
SAFE_EXTRA_FIELDS = ("status_code",)


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line = {
            "time": datetime.fromtimestamp(record.created, tz=UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        request = getattr(record, "request", None)
        method = getattr(request, "method", None)
        if isinstance(method, str):
            line["method"] = method
            line["path"] = getattr(request, "path", "")
        for field in SAFE_EXTRA_FIELDS:
            value = getattr(record, field, None)
            if isinstance(value, int | float | str | bool):
                line[field] = value
        if record.exc_info and record.exc_info[0] is not None:
            line["exc_type"] = record.exc_info[0].__name__
            line["exc_frames"] = [
                f"{frame.filename}:{frame.lineno} in {frame.name}" for frame in traceback.extract_tb(record.exc_info[2])
            ]
        return json.dumps(line, ensure_ascii=False, default=str)


def logging_config(*, level: str) -> dict:
    """Django's LOGGING: JSON lines on stdout, server errors emailed to ADMINS, never SQL."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"require_debug_false": {"()": "django.utils.log.RequireDebugFalse"}},
        # One JSON object per line on stdout, with an allowlist of fields (see clinic/logs.py).
        "formatters": {"json": {"()": "clinic.logs.JsonFormatter"}},
        "handlers": {
            "stdout": {"class": "logging.StreamHandler", "stream": "ext://sys.stdout", "formatter": "json"},
            "mail_admins": {
                "class": "django.utils.log.AdminEmailHandler",
                "level": "ERROR",
                "filters": ["require_debug_false"],
                "include_html": False,
            },
        },
        "root": {"handlers": ["stdout"], "level": level},
        "loggers": {
            "django": {"handlers": ["mail_admins"], "level": level, "propagate": True},
            "django.server": {"handlers": [], "level": level, "propagate": True},
            # Hosts we do not serve are scanners' noise: logged, never emailed.
            "django.security.DisallowedHost": {"handlers": ["stdout"], "level": "ERROR", "propagate": False},
            # So are forms refused for their size or an attached file: the 400/413 page is the whole answer.
            "django.security.RequestDataTooBig": {"handlers": ["stdout"], "level": "ERROR", "propagate": False},
            "django.security.TooManyFieldsSent": {"handlers": ["stdout"], "level": "ERROR", "propagate": False},
            "django.security.TooManyFilesSent": {"handlers": ["stdout"], "level": "ERROR", "propagate": False},
            # SQL parameters are patients' words: never log queries, whatever DJANGO_LOG_LEVEL says.
            "django.db.backends": {"handlers": [], "level": "WARNING", "propagate": True},
        },
    }
