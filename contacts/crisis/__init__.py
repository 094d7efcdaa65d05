"""Crisis language in a patient's message: the one list that decides whether a message is urgent.

A match flags the message urgent: it tops the counselors' queue, its notification says "urgent",
and the patient's confirmation page repeats the 988 / 911 guidance. Matching is whole words or
phrases, case-insensitive, with any spacing or hyphen between words. It errs on the side of
flagging ("I'm not suicidal" is flagged too): a counselor calling back early costs little.
"""

import re

CRISIS_PHRASES = (
    "suicide",
    "suicidal",
    "kill myself",
    "killing myself",
    "end my life",
    "ending my life",
    "take my own life",
    "taking my own life",
    "end it all",
    "want to die",
    "wanna die",
    "better off dead",
    "no reason to live",
    "hurt myself",
    "hurting myself",
    "harm myself",
    "self harm",
    "self harming",
    "overdose",
    "overdosed",
    "overdosing",
    "od'd",
    "od-ed",
)


def _phrase_pattern(phrase: str) -> str:
    words = re.split(r"[\s-]+", phrase)
    return r"[\s-]+".join(re.escape(word) for word in words)


_PATTERN = re.compile(
    r"(?<![\w'])(?:" + "|".join(_phrase_pattern(phrase) for phrase in CRISIS_PHRASES) + r")(?![\w'])",
    re.IGNORECASE,
)
# Phones type curly apostrophes ("od’d"); compare with the straight one.
_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'"})


def crisis_terms(text: str) -> list[str]:
    """The crisis words and phrases found in `text`, lower-cased, in order of appearance."""
    return [match.group(0).lower() for match in _PATTERN.finditer(text.translate(_APOSTROPHES))]


def is_crisis(text: str) -> bool:
    """True when `text` contains any crisis word or phrase."""
    return _PATTERN.search(text.translate(_APOSTROPHES)) is not None
