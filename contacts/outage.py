"""When a patient's words cannot be stored: what the database's failure means, and how the answer says so.

The message and comment views catch `DatabaseError` where they store (for a comment, everything
its POST reads and writes) and answer with the form again, filled in with everything the writer
typed and "NOT sent" at the top. The words then exist in that page and nowhere else: no file,
cache, queue or log keeps them, because none is as safe as the database for a patient's words,
and a copy no counselor reads would only be one more place for them to leak from.

- `OperationalError` and `InterfaceError` mean the database is unavailable (connection refused or
  lost, a timeout, SQLite's "database is locked"): 503 with Retry-After ("try again in a few
  minutes").
- Any other `DatabaseError` (an `IntegrityError` the service could not resolve as a resend, a
  `DataError`, a `ProgrammingError`) is a bug, not an outage: 500 without Retry-After, its
  traceback in the report to ADMINS (through the private reporter of `clinic.errors`).

Either way one ERROR line names the exception's class, never its text: a database error can
quote the row it refused. An outage's line goes to the logs only (`contacts.outage`): mailing
ADMINS from inside the patient's request would make every Send wait on the mail server too,
which may be down with the database, and an outage is seen by monitoring anyway (`/readyz`).
A bug's line goes through `django.request`, so ADMINS get its private report. A service
that handles a database error itself (`message_submit` turns the `IntegrityError` of a
double-posted form into the stored message) has done so before the view sees anything.
"""

import logging

from django.db import DatabaseError, InterfaceError, OperationalError
from django.utils.log import log_response

logger = logging.getLogger(__name__)

DATABASE_UNAVAILABLE = (OperationalError, InterfaceError)
RETRY_AFTER_SECONDS = 120


def not_stored_status(exc: DatabaseError) -> int:
    """503 when the database is unavailable (try again later), else 500."""
    return 503 if isinstance(exc, DATABASE_UNAVAILABLE) else 500


def not_stored_answer(request, response, exc: DatabaseError, *, what: str):
    """`response` (the form again, with `not_stored_status(exc)`) with Retry-After when due, and the failure logged.

    `what` ("message", "comment") names what was not stored in the log line. The views' `never_cache`
    on POST keeps the page (it holds the writer's words) out of every cache.
    """
    name = exc.__class__.__name__
    if isinstance(exc, DATABASE_UNAVAILABLE):
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        _session_left_unread(request)
        # Through `log_response`, so Django does not log (and mail) the 503 a second time itself.
        log_response(
            "%s not stored: database unavailable (%s)", what, name, response=response, request=request, logger=logger
        )
    else:
        log_response(
            "%s not stored: database error (%s)", what, name, response=response, request=request, exception=exc
        )
    return response


def _session_left_unread(request) -> None:
    """Keep Django's SessionMiddleware from reading a staff session from the database that is down.

    On the way out it reads the session for its expiry (SESSION_SAVE_EVERY_REQUEST), then saves
    nothing on a 5xx; that read would turn this page into a 500 for a signed-in staff member who
    sends the public form. An unread session is given an empty cache (Django's own attribute for
    a loaded session), which is all the middleware then reads. Patients carry no session at all.
    """
    session = getattr(request, "session", None)
    if session is not None and not hasattr(session, "_session_cache"):
        session._session_cache = {}
