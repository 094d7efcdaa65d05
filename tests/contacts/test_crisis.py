import pytest

from contacts.crisis import CRISIS_PHRASES, crisis_terms, is_crisis


@pytest.mark.parametrize(
    "text",
    [
        "I have been thinking about suicide.",
        "Sometimes I want to KILL MYSELF",
        "my brother overdosed last week",
        "I think I might overdose tonight",
        "I feel suicidal",
        "i just want to end it all",
        "everyone would be better off dead without me",
        "he OD’d twice this year",
        "kill\nmyself",
        "self-harm again",
        "Suicide.",
    ],
)
def test_crisis_language_is_found_whatever_the_case_spacing_or_punctuation(text):
    assert is_crisis(text)


@pytest.mark.parametrize(
    "text",
    [
        "I would like to start treatment.",
        "Do you take my insurance?",
        "The painkillers made my pain worse.",
        "I killed it at my job interview",  # "kill" alone is not on the list
        "suicides",  # whole words only, not a longer word
        "nonsuicidal",
        "overdoses are in the news",
        "",
    ],
)
def test_ordinary_messages_are_not_flagged(text):
    assert not is_crisis(text)


def test_every_listed_phrase_matches_itself():
    for phrase in CRISIS_PHRASES:
        assert is_crisis(f"Hello. {phrase.upper()}!"), phrase


def test_crisis_terms_lists_what_was_found_in_order():
    assert crisis_terms("An overdose, and now I want to die.") == ["overdose", "want to die"]
