import json
import re
from html.parser import HTMLParser

import pytest
from django.urls import reverse

from tests.factories import make_article, make_entry

pytestmark = pytest.mark.django_db

SITE_URL = "https://clinic.example.org"


@pytest.fixture(autouse=True)
def _site_url(settings):
    settings.SITE_URL = SITE_URL


class _JsonLdParser(HTMLParser):
    def __init__(self):
        super().__init__()
        self.blocks: list[str] = []
        self._inside = False

    def handle_starttag(self, tag, attrs):
        self._inside = tag == "script" and dict(attrs).get("type") == "application/ld+json"
        if self._inside:
            self.blocks.append("")

    def handle_endtag(self, tag):
        self._inside = False

    def handle_data(self, data):
        if self._inside:
            self.blocks[-1] += data


def json_ld_nodes(body: str) -> list[dict]:
    """Every schema.org node on the page, with @graph lists flattened."""
    parser = _JsonLdParser()
    parser.feed(body)
    nodes = []
    for block in parser.blocks:
        data = json.loads(block)
        assert data["@context"] == "https://schema.org"
        nodes.extend(data.get("@graph", [data]))
    return nodes


def node_of_type(nodes: list[dict], type_name: str) -> dict:
    matching = [node for node in nodes if node["@type"] == type_name]
    assert len(matching) == 1, f"expected one {type_name}, found {len(matching)}"
    return matching[0]


def assert_valid_faq_rich_result(faq: dict) -> None:
    """Google's required properties for FAQ rich results."""
    assert faq["@type"] == "FAQPage"
    assert isinstance(faq["mainEntity"], list) and faq["mainEntity"]
    for question in faq["mainEntity"]:
        assert question["@type"] == "Question"
        assert isinstance(question["name"], str) and question["name"].strip()
        assert question["acceptedAnswer"]["@type"] == "Answer"
        assert isinstance(question["acceptedAnswer"]["text"], str) and question["acceptedAnswer"]["text"].strip()


def test_article_faq_json_ld_lists_every_question_and_answer_as_the_page_shows_them(client):
    article = make_article(title="About pain")
    make_entry(article, question="Why does it hurt?", answer="Because of **sensitisation**.\n\n- one\n- two")
    make_entry(article, question="What helps?", answer="A [slow taper](https://example.org/taper).")

    body = client.get(article.get_absolute_url()).content.decode()

    faq = node_of_type(json_ld_nodes(body), "FAQPage")
    assert_valid_faq_rich_result(faq)
    shown_answers = re.findall(r'<div class="answer">(.*?)</div>', body, flags=re.S)
    expected = [(entry.question, entry.answer_html) for entry in article.entries.all()]
    assert [(q["name"], q["acceptedAnswer"]["text"]) for q in faq["mainEntity"]] == expected
    assert [q["acceptedAnswer"]["text"] for q in faq["mainEntity"]] == shown_answers
    assert "<strong>sensitisation</strong>" in faq["mainEntity"][0]["acceptedAnswer"]["text"]
    assert faq["url"] == f"{SITE_URL}{article.get_absolute_url()}"


def test_the_seeded_faq_article_validates_as_an_faq_rich_result(client):
    from django.core.management import call_command

    from articles.models import Article

    call_command("load_faq", verbosity=0)
    article = Article.objects.get()

    nodes = json_ld_nodes(client.get(article.get_absolute_url()).content.decode())

    faq = node_of_type(nodes, "FAQPage")
    assert_valid_faq_rich_result(faq)
    assert [q["name"] for q in faq["mainEntity"]] == list(article.entries.values_list("question", flat=True))


def test_medical_web_page_carries_review_date_and_reviewer_when_set(client):
    article = make_article(title="Reviewed", last_reviewed="2026-10-01", reviewed_by="Dr. Jane Doe, MD")

    page = node_of_type(json_ld_nodes(client.get(article.get_absolute_url()).content.decode()), "MedicalWebPage")

    assert page["lastReviewed"] == "2026-10-01"
    assert page["reviewedBy"] == {"@type": "Person", "name": "Dr. Jane Doe, MD"}
    assert page["name"] == "Reviewed"
    assert page["url"] == f"{SITE_URL}{article.get_absolute_url()}"
    assert page["description"] == article.description


def test_medical_web_page_omits_review_fields_when_not_set_and_no_faq_without_entries(client):
    article = make_article()

    nodes = json_ld_nodes(client.get(article.get_absolute_url()).content.decode())

    page = node_of_type(nodes, "MedicalWebPage")
    assert "lastReviewed" not in page
    assert "reviewedBy" not in page
    assert not [node for node in nodes if node["@type"] == "FAQPage"]


def test_home_page_describes_the_clinic_with_its_phone(client):
    nodes = json_ld_nodes(client.get(reverse("articles:home")).content.decode())

    clinic = node_of_type(nodes, "MedicalClinic")
    assert clinic["name"] == "Lakeside Recovery Clinic"
    assert clinic["telephone"] == "+17086134750"
    assert clinic["url"] == f"{SITE_URL}/"


def test_markup_in_questions_cannot_break_out_of_the_json_ld_script(client):
    article = make_article(title="</script><script>alert(1)</script>")
    make_entry(article, question="Is <b>this</b> & that </script> safe?", answer="Yes.")

    body = client.get(article.get_absolute_url()).content.decode()

    script = body[body.index('<script type="application/ld+json">') :]
    script = script[: script.index("</script>")]
    assert "<b>" not in script and "alert(1)</script>" not in script
    faq = node_of_type(json_ld_nodes(body), "FAQPage")
    assert faq["mainEntity"][0]["name"] == "Is <b>this</b> & that </script> safe?"
    assert faq["name"] == "</script><script>alert(1)</script>"


def test_article_json_ld_adds_no_database_queries(client, django_assert_num_queries):
    article = make_article()
    for i in range(10):
        make_entry(article, anchor=f"q-{i}")

    # article, entries, sources, comment counts, comment page: the JSON-LD reuses the loaded entries
    with django_assert_num_queries(5):
        client.get(article.get_absolute_url())
