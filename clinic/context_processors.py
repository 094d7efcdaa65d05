from django.conf import settings
from django.utils.encoding import escape_uri_path


def clinic(request):
    """The clinic's name and phone, which every page shows, when a patient can expect contact (the
    message form and its confirmation say it), and the page's canonical address."""
    return {
        "clinic_name": settings.CLINIC_NAME,
        "clinic_phone": settings.CLINIC_PHONE,
        "clinic_phone_e164": settings.CLINIC_PHONE_E164,
        "reply_time_text": settings.REPLY_TIME_TEXT,
        "office_hours_text": settings.OFFICE_HOURS_TEXT,
        "site_url": settings.SITE_URL,
        "canonical_url": canonical_url(request),
    }


def canonical_url(request) -> str:
    """The page's address on DJANGO_SITE_URL (not the Host a proxy sent), without tracking or other
    query parameters; a list page past the first keeps its `?page=N`, as it has its own content."""
    url = settings.SITE_URL + escape_uri_path(request.path)
    page = request.GET.get("page", "")
    if page.isdigit() and int(page) > 1:
        url += f"?page={int(page)}"
    return url
