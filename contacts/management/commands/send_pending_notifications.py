"""Send staff notifications that could not be sent when they were created.

Run from cron every minute in production (`* * * * * … manage.py send_pending_notifications`).
Safe to run often and from several servers at once: each notification is sent exactly once.
"""

from django.core.management.base import BaseCommand

from contacts.notifications.outbox import notifications_send_pending


class Command(BaseCommand):
    help = "Send pending staff notifications (run every minute from cron)."

    def handle(self, *args, **options):
        sent, unsent = notifications_send_pending()
        self.stdout.write(f"Sent {sent} notification(s); {unsent} still waiting.")
        if unsent:
            self.stderr.write(f"{unsent} notification(s) could not be sent yet; is the mail server reachable?")
