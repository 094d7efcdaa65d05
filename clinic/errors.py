"""Error reports (the emails Django sends to ADMINS) that cannot carry a patient's data.

Django's own filter hides only what views mark with `@sensitive_post_parameters` and
`@sensitive_variables`; one forgotten decorator would mail a patient's message to whoever is in
ADMINS. These classes hide by default instead: every POST value, every cookie, every local
variable, the query string, client addresses and the exception text (a database error can
quote the row it refused, e-mail address included). What remains (exception type, file, line,
function and source line of every frame, method, path, user) is enough to find the bug.
With DEBUG on (a developer's laptop) nothing is hidden.
"""

import re

from django.views.debug import ExceptionReporter, SafeExceptionReporterFilter

HIDDEN = "********************"

# request.META keys shown as they are; everything else (cookies, client and proxy addresses,
# the query string, the Referer with its query string) is replaced by stars.
SAFE_META_KEYS = {
    "CONTENT_LENGTH",
    "CONTENT_TYPE",
    "HTTP_ACCEPT",
    "HTTP_ACCEPT_LANGUAGE",
    "HTTP_HOST",
    "HTTP_USER_AGENT",
    "PATH_INFO",
    "REQUEST_METHOD",
    "SCRIPT_NAME",
    "SERVER_NAME",
    "SERVER_PORT",
    "SERVER_PROTOCOL",
    "wsgi.url_scheme",
}


class PrivateExceptionReporterFilter(SafeExceptionReporterFilter):
    """DEFAULT_EXCEPTION_REPORTER_FILTER: hides all request data and all frame variables."""

    cleansed_substitute = HIDDEN
    # Also hide connection strings, whose URLs carry passwords (CACHES' LOCATION, CACHE_URL).
    hidden_settings = re.compile(
        "API|AUTH|TOKEN|KEY|SECRET|PASS|SIGNATURE|HTTP_COOKIE|LOCATION|_URL$|ADMINS", flags=re.IGNORECASE
    )

    def get_post_parameters(self, request):
        if request is None:
            return {}
        if not self.is_active(request):
            return request.POST
        return dict.fromkeys(request.POST, HIDDEN)

    def get_safe_cookies(self, request):
        if not self.is_active(request):
            return super().get_safe_cookies(request)
        return dict.fromkeys(getattr(request, "COOKIES", {}), HIDDEN)

    def get_safe_request_meta(self, request):
        if not self.is_active(request):
            return super().get_safe_request_meta(request)
        return {
            key: (value if key in SAFE_META_KEYS else HIDDEN) for key, value in getattr(request, "META", {}).items()
        }

    def get_traceback_frame_variables(self, request, tb_frame):
        if not self.is_active(request):
            return super().get_traceback_frame_variables(request, tb_frame)
        return [(name, HIDDEN) for name in tb_frame.f_locals]


class PrivateExceptionReporter(ExceptionReporter):
    """DEFAULT_EXCEPTION_REPORTER: also hides the exception text, GET values and the query string."""

    def get_traceback_data(self):
        data = super().get_traceback_data()
        if not self.filter.is_active(self.request):
            return data
        if "exception_value" in data:
            data["exception_value"] = f"{HIDDEN} (hidden: it may quote a patient's data)"
        data.pop("exception_notes", None)
        data["unicode_hint"] = HIDDEN if data.get("unicode_hint") else ""
        for frame in data.get("frames", []):
            if frame.get("exc_cause"):
                frame["exc_cause"] = f"{frame['exc_cause'].__class__.__name__}: {HIDDEN}"
        if self.request is not None:
            data["request_GET_items"] = [(key, HIDDEN) for key in self.request.GET]
            data["request_FILES_items"] = [(key, HIDDEN) for key in self.request.FILES]
            data["request_insecure_uri"] = f"{self.request.scheme}://{self.request._get_raw_host()}{self.request.path}"
        return data
