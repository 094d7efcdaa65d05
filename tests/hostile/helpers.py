"""What the hostile-input tests share: the values they send and what every answer must be."""

from urllib.parse import urlencode

# Text a person could type that means something to HTML, SQL or a shell; stored as typed, shown escaped.
MARKUP = """<script>alert("x")</script><img src=x onerror=alert(1)> ' OR 1=1; -- & "quotes" {{ 7*7 }}"""

# What a page may answer to hostile input: never a server error.
CALM_STATUSES = {200, 302, 400, 403, 404, 405, 413, 429}


def raw_form_body(data: dict, **raw: str) -> str:
    """`data` URL-encoded, with `raw` fields appended exactly as given (percent escapes and all)."""
    encoded = urlencode({key: value for key, value in data.items() if key not in raw}, doseq=True)
    return "&".join([encoded, *(f"{key}={value}" for key, value in raw.items())])


def assert_calm(response) -> None:
    assert response.status_code in CALM_STATUSES, response.status_code


def assert_refused_with_the_400_page(response) -> None:
    assert response.status_code == 400
    assert "We could not read that request" in response.content.decode()
