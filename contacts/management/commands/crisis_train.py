"""Train the crisis wording model (`contacts/crisis/wording.tsv`) on the labelled corpus.

Run after adding labelled messages to `contacts/crisis/corpus/` (a test fails until you do), then
`make crisis-report` to see the new figures, and commit both. Needs scikit-learn, a development
dependency (`requirements-dev.txt`); the site itself only reads the file. Training is
deterministic: the same corpus gives the same file.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from contacts.crisis.corpus import CORPUS_DIR, corpus_read
from contacts.crisis.wording import MODEL_FILE, WordingModel, corpus_fingerprint, wording_text

# Chosen by leaving each blind set of the corpus out in turn (see docs/crisis-safety.md).
REGULARISATION = 10.0
# A missed crisis costs more than a call back that was not needed.
CRISIS_WEIGHT = 2.0
# Flag above these log-odds; let a rule's match stand unless below those. Chosen with the rules by
# leaving each of the blind sets 21-25 out in turn (docs/crisis-safety.md): 97.5% recall, 7.4%
# false alarms, where flagging above 0 with no overruling gave 98.1% and 12.2%.
THRESHOLD = 0.5
OVERRULES_RULES_BELOW = -2.0
COMMENT = """\
Crisis wording model, made by `manage.py crisis_train` from contacts/crisis/corpus/ (do not edit by
hand: add labelled messages to the corpus and train again). Each line is a phrase of one to three
words of the folded text, its inverse document frequency and its weight: positive weights raise
urgency, negative ones lower it; the phrases that raise it most come first. A message is flagged
when the intercept plus its phrases' TF-IDF values (sublinear, L2-normed) times their weights is
above the threshold, or when a rule of rules.txt matches it and that sum is not below the
"overrules rules below" line. See contacts/crisis/wording.py."""


def fit(texts: list[str], labels: list[bool]):
    """scikit-learn's vectorizer and classifier fitted to folded texts: what the model file is made of."""
    try:
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.linear_model import LogisticRegression
    except ImportError:
        raise CommandError("crisis_train needs scikit-learn, a development dependency: run `make venv`.") from None
    vectorizer = TfidfVectorizer(ngram_range=(1, 3), min_df=2, sublinear_tf=True, lowercase=False)
    features = vectorizer.fit_transform(texts)
    classifier = LogisticRegression(C=REGULARISATION, max_iter=5000, class_weight={True: CRISIS_WEIGHT, False: 1.0})
    classifier.fit(features, labels)
    return vectorizer, classifier


def train(paths: list[Path]) -> WordingModel:
    """The wording model of the labelled files at `paths`."""
    examples = corpus_read(*paths)
    vectorizer, classifier = fit([wording_text(e.text) for e in examples], [e.is_crisis for e in examples])
    return WordingModel(
        intercept=float(classifier.intercept_[0]),
        terms={
            phrase: (float(vectorizer.idf_[index]), float(classifier.coef_[0][index]))
            for phrase, index in vectorizer.vocabulary_.items()
        },
        threshold=THRESHOLD,
        overrules_below=OVERRULES_RULES_BELOW,
        corpus=corpus_fingerprint(paths),
    )


class Command(BaseCommand):
    help = "Train the crisis wording model on the labelled corpus and write contacts/crisis/wording.tsv."

    def add_arguments(self, parser):
        parser.add_argument("--output", type=Path, default=MODEL_FILE, help="Where to write the model file.")

    def handle(self, *args, output: Path, **options):
        paths = sorted(CORPUS_DIR.glob("*.tsv"))
        model = train(paths)
        output.write_text(model.dumps(comment=COMMENT), encoding="utf-8")
        self.stdout.write(f"Trained on {len(paths)} corpus files: {len(model.terms)} phrases, in {output.name}.")
