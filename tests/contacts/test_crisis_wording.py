"""The crisis wording model: trained on the corpus, applied in plain Python, second to no rule it overrules."""

import pytest

import contacts.crisis.wording as wording
from contacts.crisis import crisis_matches, is_crisis
from contacts.crisis.corpus import CORPUS_DIR, corpus_read
from contacts.crisis.wording import MODEL_FILE, WordingModel, corpus_fingerprint, default_model, wording_text
from contacts.management.commands.crisis_train import fit, train

CORPUS_FILES = sorted(CORPUS_DIR.glob("*.tsv"))


def test_the_model_was_trained_on_the_corpus_as_it_is_now():
    # Add labelled messages, then `manage.py crisis_train`: this fails until you do.
    assert default_model().corpus == corpus_fingerprint(CORPUS_FILES)


def test_training_again_gives_the_committed_model(tmp_path):
    from django.core.management import call_command

    output = tmp_path / "wording.tsv"
    call_command("crisis_train", output=output)
    trained, committed = WordingModel.parse(output.read_text(encoding="utf-8")), default_model()

    # The same phrases and settings; weights equal but for the last digits another machine's
    # floating-point library may round differently.
    assert trained.terms.keys() == committed.terms.keys()
    assert (trained.threshold, trained.overrules_below, trained.corpus) == (
        committed.threshold,
        committed.overrules_below,
        committed.corpus,
    )
    assert trained.intercept == pytest.approx(committed.intercept, rel=1e-6, abs=1e-9)
    phrases = sorted(committed.terms)
    assert [trained.terms[p] for p in phrases] == [
        pytest.approx(committed.terms[p], rel=1e-6, abs=1e-9) for p in phrases
    ]


def test_plain_python_scores_every_text_as_scikit_learn_does():
    examples = corpus_read(CORPUS_DIR / "01-first.tsv")
    texts = [wording_text(example.text) for example in examples]
    vectorizer, classifier = fit(texts, [example.is_crisis for example in examples])
    model = train([CORPUS_DIR / "01-first.tsv"])

    expected = classifier.decision_function(vectorizer.transform(texts))

    assert [model.score(example.text) for example in examples] == pytest.approx(list(expected), abs=1e-9)


@pytest.mark.parametrize(
    "text",
    [
        "honestly the world keeps spinning fine without people like me in it",
        "the voices are telling me it is time and I think I agree with them",
        "my brother sent me a photo of a rope and said sorry",
        "I wrote each of my kids a letter and put them in the drawer with my will",
    ],
)
def test_the_model_catches_phrasing_no_rule_foresaw(text):
    assert not crisis_matches(text)
    assert is_crisis(text)


@pytest.mark.parametrize(
    "text",
    [
        "Can I move my appointment to Thursday afternoon?",
        "This pain is killing me but the new dose helps a lot",
        "I am dying to know if Medicaid covers methadone",
        "Where can I get Narcan and test strips near Pilsen?",
        "My uncle died of an overdose in 2015 and I still miss him",
        "Im dead tired after work, can we do evening sessions?",
    ],
)
def test_ordinary_messages_and_near_misses_are_not_crises(text):
    assert not is_crisis(text)


@pytest.fixture
def hand_made_model(monkeypatch):
    """A model that knows two words: "sunflower" (crisis) and "pizza" (very ordinary)."""
    model = WordingModel(
        intercept=0.0, terms={"sunflower": (1.0, 10.0), "pizza": (1.0, -50.0)}, threshold=0.5, overrules_below=-2.0
    )
    monkeypatch.setattr(wording, "default_model", lambda: model)
    return model


def test_the_model_alone_can_flag_a_message(hand_made_model):
    assert is_crisis("sunflower")
    assert not is_crisis("a quiet afternoon")


def test_a_rule_stands_unless_the_model_is_sure_the_message_is_ordinary(hand_made_model):
    assert is_crisis("I want to kill myself")  # no known word: score 0, the rule stands
    assert not is_crisis("I want to kill myself pizza")  # the model is sure: it overrules the rule


def test_the_phrases_that_raised_a_score_are_named_for_the_counselor(hand_made_model):
    assert hand_made_model.strongest("sunflower pizza sunflower") == ["sunflower"]


@pytest.mark.parametrize(
    ("source", "error"),
    [
        ("# intercept: 0.1\n# threshold: 0.5\n# overrules rules below: -2\nhello\t1.0\n", "line 4"),
        ("# intercept: 0.1\n# threshold: 0.5\nhello\t1.0\t2.0\n", "header line"),
        ("# intercept: 0.1\n# threshold: 0.5\n# overrules rules below: -2\n", "phrases"),
        ("# intercept: 0.1\n# threshold: 0.5\n# overrules rules below: -2\nhello\tone\t2.0\n", "line 4"),
    ],
)
def test_a_malformed_model_file_says_what_is_wrong(source, error):
    with pytest.raises(ValueError, match=error):
        WordingModel.parse(source)


def test_the_model_file_lists_the_phrases_that_raise_urgency_most_first():
    model = default_model()
    weights = [weight for _, weight in model.terms.values()]
    first = next(line for line in MODEL_FILE.read_text(encoding="utf-8").splitlines() if not line.startswith("#"))

    assert float(first.split("\t")[2]) == max(weights)
