"""The second reader of crisis language: a word model trained on the labelled corpus.

The rules (`rules.txt`) catch the phrasing they were written for; on messages written later by
other people they caught only about four crisis messages in five. This model reads the same
folded text as a bag of words and short phrases (one to three words), weighs each by what the
corpus taught it, and flags a message whose weights add up to "more likely crisis than not".
It catches much of what the rules miss (see docs/crisis-safety.md for the figures); a
message is urgent when the rules or the model flag it.

The model is data, in `wording.tsv` beside this file: every phrase with its weight, the phrases
that raise urgency most at the top. It is made from the corpus by `manage.py crisis_train`
(scikit-learn's TfidfVectorizer and LogisticRegression, a development dependency); here it is
only read and applied, in plain Python, with the same arithmetic. To change what it flags, add
labelled messages to `corpus/` and train again: a test fails while the model is older than the
corpus.
"""

import hashlib
import math
import re
from collections import Counter
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from contacts.crisis.folding import fold

MODEL_FILE = Path(__file__).with_name("wording.tsv")
# What scikit-learn's default token pattern takes as a word: two or more word characters.
TOKEN = re.compile(r"\b\w\w+\b")
LONGEST_PHRASE = 3


def wording_text(text: str) -> str:
    """The text as the model reads it: folded as the rules read it (lower case, no accents...)."""
    return " ".join(fold(text))


def phrases(text: str) -> Counter:
    """How often each phrase of one to three words occurs in already folded `text`."""
    tokens = TOKEN.findall(text)
    return Counter(
        " ".join(tokens[start : start + size])
        for size in range(1, LONGEST_PHRASE + 1)
        for start in range(len(tokens) - size + 1)
    )


def corpus_fingerprint(paths: list[Path]) -> str:
    """A short hash of the labelled files a model was trained on."""
    digest = hashlib.sha256()
    for path in sorted(paths):
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:16]


@dataclass(frozen=True)
class WordingModel:
    intercept: float
    # phrase -> (inverse document frequency, weight)
    terms: dict[str, tuple[float, float]]
    # A message is flagged when its score is above this log-odds...
    threshold: float = 0.0
    # ...or when a rule matches it, unless its score is below this one (the model is sure it is not).
    overrules_below: float = float("-inf")
    corpus: str = ""

    def weighted(self, text: str) -> dict[str, float]:
        """Each known phrase of `text` with what it adds to the score (TF-IDF, sublinear, L2-normed)."""
        values = {
            phrase: (1 + math.log(count)) * self.terms[phrase][0]
            for phrase, count in phrases(wording_text(text)).items()
            if phrase in self.terms
        }
        norm = math.sqrt(sum(value * value for value in values.values()))
        if not norm:
            return {}
        return {phrase: value / norm * self.terms[phrase][1] for phrase, value in values.items()}

    def score(self, text: str) -> float:
        """The log-odds that `text` is a crisis message (0: as likely as not)."""
        return self.intercept + sum(self.weighted(text).values())

    def flags(self, text: str) -> bool:
        return self.score(text) > self.threshold

    def strongest(self, text: str, count: int = 3) -> list[str]:
        """The phrases of `text` that most raised its score (to tell a counselor why it was flagged)."""
        raised = sorted(((value, phrase) for phrase, value in self.weighted(text).items() if value > 0), reverse=True)
        return [phrase for _, phrase in raised[:count]]

    @classmethod
    def parse(cls, source: str) -> "WordingModel":
        """Read a model file; a malformed one fails loudly with the line at fault."""
        header, terms = {}, {}
        for number, line in enumerate(source.splitlines(), start=1):
            if line.startswith("#"):
                key, colon, value = line[1:].partition(":")
                if colon and key.strip() in {"corpus", "intercept", "threshold", "overrules rules below"}:
                    header[key.strip()] = value.strip()
                continue
            if not line.strip():
                continue
            try:
                phrase, idf, weight = line.split("\t")
                terms[phrase] = (float(idf), float(weight))
            except ValueError:
                raise ValueError(f"{MODEL_FILE.name} line {number}: expected 'phrase<TAB>idf<TAB>weight'") from None
        if not {"intercept", "threshold", "overrules rules below"} <= set(header) or not terms:
            raise ValueError(f"{MODEL_FILE.name}: a header line or the phrases are missing: train it with crisis_train")
        return cls(
            intercept=float(header["intercept"]),
            terms=terms,
            threshold=float(header["threshold"]),
            overrules_below=float(header["overrules rules below"]),
            corpus=header.get("corpus", ""),
        )

    def dumps(self, *, comment: str) -> str:
        """The model file: a comment, the header, then the phrases from most to least urgent."""
        lines = [f"# {line}".rstrip() for line in comment.splitlines()]
        lines += [
            f"# corpus: {self.corpus}",
            f"# intercept: {self.intercept!r}",
            f"# threshold: {self.threshold!r}",
            f"# overrules rules below: {self.overrules_below!r}",
            "# phrase\tidf\tweight",
        ]
        ranked = sorted(self.terms.items(), key=lambda item: (-item[1][1], item[0]))
        lines += [f"{phrase}\t{idf!r}\t{weight!r}" for phrase, (idf, weight) in ranked]
        return "\n".join(lines) + "\n"


@cache
def default_model() -> WordingModel:
    return WordingModel.parse(MODEL_FILE.read_text(encoding="utf-8"))
