"""Send the staff notifications that are due: the only place staff emails leave the site.

Run it from cron every minute (`* * * * * … manage.py send_pending_notifications`) and, for
emails within seconds, also as a service: `--loop 10` sends what is due every 10 seconds until
stopped (SIGTERM or Ctrl-C end it after the pass under way; docs/operations.md has a systemd
unit). Cron and the service, on one server or several, may run at once: each notification is
sent exactly once. Prints a line only when something was sent or is still waiting, so cron has
nothing to mail when all is well; while any notification is late it logs an ERROR (how many and
how old, nothing else). `manage.py notifications_status` is the check for monitoring.
"""

import logging
import signal
import threading

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError, close_old_connections

from contacts.notifications.outbox import notifications_send_pending

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = "Send the staff notifications that are due (cron every minute; --loop SECONDS as a service)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--loop",
            type=float,
            metavar="SECONDS",
            help="Keep running, sending what is due every SECONDS, until stopped (SIGTERM or Ctrl-C).",
        )

    def handle(self, *args, loop: float | None = None, verbosity: int = 1, **options):
        if loop is None:
            self.send_once(verbosity)
            return
        if loop <= 0:
            raise CommandError("--loop needs a number of seconds above 0.")
        stop = threading.Event()
        previous = {sig: signal.signal(sig, lambda *_: stop.set()) for sig in (signal.SIGTERM, signal.SIGINT)}
        try:
            while not stop.is_set():
                # As each request does: drop a connection the database closed or that outlived CONN_MAX_AGE.
                close_old_connections()
                try:
                    self.send_once(verbosity)
                except DatabaseError:
                    logger.exception("notification sender: the database failed; trying again in %s s", loop)
                stop.wait(loop)
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)

    def send_once(self, verbosity: int) -> None:
        run = notifications_send_pending()
        if run.sent or run.backlog.waiting or verbosity > 1:
            late = f" ({run.backlog.late} late)" if run.backlog.late else ""
            self.stdout.write(f"Sent {run.sent} notification(s); {run.backlog.waiting} still waiting{late}.")
