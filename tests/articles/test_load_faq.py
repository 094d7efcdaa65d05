from io import StringIO

import pytest
from django.core.management import call_command

from articles.management.commands.load_faq import SEEDS, parse_seed
from articles.models import Article

pytestmark = pytest.mark.django_db

EXPECTED_QUESTIONS = [
    "What is opioid-induced hyperalgesia?",
    "What is the difference between opioid tolerance, and opioid-induced hyperalgesia?",
    "Does opioid-induced hyperalgesia cause existing pain to get worse? Or does is cause new pain?",
    "What causes opioid-induced hyperalgesia?",
    "Which opioids induce hyperalgesia, and at what dosage?",
    "How is opioid-induced hyperalgesia diagnosed?",
    "Can opioid-induced hyperalgesia be treated?",
    "What is opioid rotation?",
]


def load(*args) -> str:
    out = StringIO()
    call_command("load_faq", *args, stdout=out)
    return out.getvalue()


def test_loads_all_eight_questions_in_order_with_full_answers():
    load()

    article = Article.objects.get(slug="opioid-induced-hyperalgesia")
    entries = list(article.entries.all())
    assert article.title == "Opioid-Induced Hyperalgesia: How Painkillers Can Paradoxically Cause More Pain"
    assert article.is_published
    assert [e.question for e in entries] == EXPECTED_QUESTIONS
    seed_text = SEEDS["opioid-induced-hyperalgesia"].read_text(encoding="utf-8")
    for entry in entries:
        for paragraph in entry.answer.split("\n\n"):
            assert paragraph in seed_text
    assert entries[-1].answer.endswith("which could ultimately prevent the onset of hyperalgesia.")


def test_page_chrome_and_the_stray_fragment_are_not_article_text():
    load()

    answers = " ".join(Article.objects.get().entries.values_list("answer", flat=True))
    for chrome in ["Leave a Comment", "Call us at", "Scroll to Top", "Required fields", "Sources Cited"]:
        assert chrome not in answers
    assert "\n\nAll opioids\n\n" not in answers
    assert not any(a.strip() == "All opioids" for a in answers.split("\n\n"))


def test_running_twice_changes_nothing():
    load()
    before = list(Article.objects.get().entries.values_list("id", "question", "answer", "position"))

    output = load()

    assert "already loaded" in output
    assert list(Article.objects.get().entries.values_list("id", "question", "answer", "position")) == before


def test_editor_changes_survive_a_rerun_and_force_restores_the_seed():
    load()
    entry = Article.objects.get().entries.first()
    entry.answer = "Edited by an editor."
    entry.save()

    load()
    assert Article.objects.get().entries.first().answer == "Edited by an editor."

    load("--force")
    assert Article.objects.get().entries.first().answer.startswith("Opioid-induced hyperalgesia is the occurrence")
    assert Article.objects.get().entries.count() == 8


def test_the_loaded_page_shows_every_question(client):
    load()

    body = client.get("/articles/opioid-induced-hyperalgesia/").content.decode()

    for question in EXPECTED_QUESTIONS:
        assert question.replace("'", "&#x27;") in body


def test_parser_keeps_a_paragraph_that_is_not_a_stray_fragment():
    seed = parse_seed("Title\n\nQ one?\n\nFirst.\n\nSecond paragraph.\n\nQ two?\n\nAnswer.\n")

    assert seed.entries[0].paragraphs == ["First.", "Second paragraph."]
    assert seed.dropped == []
