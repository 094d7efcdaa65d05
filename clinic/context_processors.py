from django.conf import settings


def clinic(request):
    """The clinic's name and phone, which every page shows."""
    return {
        "clinic_name": settings.CLINIC_NAME,
        "clinic_phone": settings.CLINIC_PHONE,
        "clinic_phone_e164": settings.CLINIC_PHONE_E164,
    }
