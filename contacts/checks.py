from django.conf import settings
from django.core.checks import Warning, register


@register(deploy=True)
def counselors_email_check(app_configs, **kwargs):
    """Without counselor addresses, messages are stored but nobody is told they arrived."""
    if settings.COUNSELORS_EMAIL:
        return []
    return [
        Warning(
            "DJANGO_COUNSELORS_EMAIL is empty: patients' messages are stored but no counselor is notified.",
            hint="Set DJANGO_COUNSELORS_EMAIL to a comma-separated list of counselor addresses.",
            id="contacts.W001",
        )
    ]
