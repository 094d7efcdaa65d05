"""What the comment view tests share: the form's data, a POST from a client address, the article page."""

from django.urls import reverse

from tests.factories import elapsed_ms


def form_data(**overrides):
    data = {
        "name": "Sam Reader",
        "email": "sam@example.com",
        "comment": "This helped me understand my pain.",
        "parent": "",
        "website": "",
        "elapsed": elapsed_ms(60),
    }
    data.update(overrides)
    return data


def post_comment(client, article, remote="203.0.113.7", **overrides):
    url = reverse("contacts:comment-create", kwargs={"slug": article.slug})
    return client.post(url, form_data(**overrides), REMOTE_ADDR=remote)


def page(client, article, query=""):
    response = client.get(article.get_absolute_url() + query)
    assert response.status_code == 200
    return response.content.decode()
