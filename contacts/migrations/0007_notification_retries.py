# Staff notifications are retried for ever, with backoff (`next_attempt_at`), and Counselor leads
# see the read-only outbox. A frozen copy of that one change to clinic/roles.py: `sync_roles`
# applies later ones.

import django.utils.timezone
from django.db import migrations, models

OUTBOX_ROLES = ["Counselor leads"]


def _outbox_for_leads(apps, schema_editor, *, allowed: bool):
    using = schema_editor.connection.alias
    Permission = apps.get_model("auth", "Permission")
    view = Permission.objects.using(using).filter(content_type__app_label="contacts", codename="view_notification")
    for group in apps.get_model("auth", "Group").objects.using(using).filter(name__in=OUTBOX_ROLES):
        (group.permissions.add if allowed else group.permissions.remove)(*view)


def let_leads_view_the_outbox(apps, schema_editor):
    _outbox_for_leads(apps, schema_editor, allowed=True)


def stop_leads_viewing_the_outbox(apps, schema_editor):
    _outbox_for_leads(apps, schema_editor, allowed=False)


class Migration(migrations.Migration):
    dependencies = [
        ("contacts", "0006_cache_table"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="notification",
            options={"ordering": ["created_at"], "verbose_name": "staff notification"},
        ),
        # Rows already waiting are due at once.
        migrations.AddField(
            model_name="notification",
            name="next_attempt_at",
            field=models.DateTimeField(
                default=django.utils.timezone.now,
                help_text="When the sender tries it next: at once when queued, later after each failed attempt.",
                verbose_name="next attempt",
            ),
        ),
        migrations.AlterField(
            model_name="notification",
            name="last_error",
            field=models.CharField(
                blank=True,
                help_text="The kind of failure of the last attempt, never its text.",
                max_length=200,
                verbose_name="last error",
            ),
        ),
        migrations.AlterField(
            model_name="auditevent",
            name="action",
            field=models.CharField(
                choices=[
                    ("viewed", "Viewed"),
                    ("exported", "Exported"),
                    ("status_changed", "Status changed"),
                    ("assigned", "Assigned"),
                    ("purged", "Purged (retention)"),
                    ("erased", "Erased (privacy request)"),
                    ("deleted", "Deleted by hand"),
                    ("notifications_resent", "Notifications sent again"),
                ],
                max_length=20,
            ),
        ),
        migrations.RunPython(let_leads_view_the_outbox, stop_leads_viewing_the_outbox),
    ]
