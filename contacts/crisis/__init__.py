"""Crisis language in what patients write: the one check that decides whether a message is urgent.

The rules are data, in `rules.txt` beside this file, for a clinical lead to read and edit; this
module only applies them to the folded text (`folding.py`). A message or comment is a crisis when any rule of
a crisis category matches it, or when the wording model trained on the labelled corpus
(`wording.py`, which catches much of the phrasing no rule foresaw) reads it as one; the model
overrules a rule only when it is sure the message is ordinary. A crisis marks a message urgent
(top of the counselors' queue, an urgent notification, 911 / 988 first on the confirmation) and
holds a comment for a moderator.

It errs on the side of flagging: negations are not read ("I'm not suicidal" flags; a call back
costs little), and a "mention" rule (a bare "overdose", "suicide") flags unless the same sentence
shows it is talk of the past or of prevention (a "not urgent" rule of that category).
"""

import dataclasses
import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from contacts.crisis import wording
from contacts.crisis.folding import fold

RULES_FILE = Path(__file__).with_name("rules.txt")

CATEGORIES = {
    "ideation": "Suicidal thoughts",
    "intent_plan": "Suicide intent, plan or means",
    "self_harm": "Self-harm",
    "overdose_now": "Overdose or poisoning now",
    "other_at_risk": "Someone else at risk",
    "farewell": "Saying goodbye",
}

_GAP = " ... "
# What "..." in a rule stands for: up to four words in between.
_GAP_REGEX = r"(?: \w+){0,4} "
# Joins parts that must all be found in the same sentence, in any order.
_AND = " & "


@dataclass(frozen=True)
class Rule:
    """One line of the rule file: a pattern of a category, of one of three kinds."""

    FLAG = "flag"  # always flags
    MENTION = "mention"  # flags unless the sentence matches a "not urgent" rule of the category
    NOT_URGENT = "not urgent"  # context that makes a mention in the same sentence not urgent

    category: str
    kind: str
    pattern: str
    line: int
    # One regular expression, or several (" & " in the rule) that must all match the sentence.
    regexes: tuple[re.Pattern, ...] = field(compare=False, repr=False)

    @classmethod
    def parse(cls, *, category: str, kind: str, pattern: str, line: int) -> "Rule":
        try:
            regexes = tuple(
                re.compile(rf"(?<!\w)(?:{part.strip().replace(_GAP, _GAP_REGEX)})(?!\w)")
                for part in pattern.split(_AND)
            )
        except re.error as error:
            raise ValueError(f"{RULES_FILE.name} line {line}: {pattern!r} is not a valid pattern ({error})") from error
        return cls(category=category, kind=kind, pattern=pattern, line=line, regexes=regexes)

    def search(self, sentence: str) -> tuple[int, str] | None:
        """Where the rule matches the sentence first and the words it matched, or None."""
        found = [match for regex in self.regexes if (match := regex.search(sentence)) is not None]
        if len(found) < len(self.regexes):
            return None
        return min(match.start() for match in found), " … ".join(match.group(0) for match in found)


@dataclass(frozen=True)
class Match:
    category: str
    text: str
    rule: Rule


_SECTION = re.compile(r"^\[(\w+)(?::\s*(mention|not urgent))?\]$")
_WORD_NAME = re.compile(r"\{([a-z_]+)\}")
# The section that names lists of words, used in rules as {name}.
WORDS = "words"


def _has_bar_outside_parentheses(pattern: str) -> bool:
    """True for "a|b & c": the "|" would split the whole rule, not just its first part."""
    depth, escaped = 0, False
    for char in pattern:
        if escaped:
            escaped = False
        elif char == "\\":
            escaped = True
        elif char in "()":
            depth += 1 if char == "(" else -1
        elif char == "|" and depth == 0:
            return True
    return False


def _expand_words(pattern: str, words: dict[str, str], line: int) -> str:
    """The pattern with each {name} replaced by its list of words from [words]."""

    def expand(name: re.Match) -> str:
        if name.group(1) not in words:
            raise ValueError(f"{RULES_FILE.name} line {line}: {{{name.group(1)}}} is not defined under [words]")
        return f"(?:{words[name.group(1)]})"

    return _WORD_NAME.sub(expand, pattern)


@dataclass(frozen=True)
class RuleSet:
    rules: tuple[Rule, ...]

    @classmethod
    def parse(cls, source: str) -> "RuleSet":
        """Rules from the text of a rule file (see the head of `rules.txt` for its format)."""
        rules, category, kind = [], None, Rule.FLAG
        words: dict[str, str] = {}
        for number, raw in enumerate(source.splitlines(), start=1):
            line = raw.split(" #", 1)[0].strip() if not raw.lstrip().startswith("#") else ""
            if not line:
                continue
            if section := _SECTION.match(line):
                category, kind = section.group(1), section.group(2) or Rule.FLAG
                if category not in CATEGORIES and category != WORDS:
                    raise ValueError(f"{RULES_FILE.name} line {number}: unknown category {category!r}")
                continue
            if category is None:
                raise ValueError(f"{RULES_FILE.name} line {number}: a rule before any [category] heading")
            if category == WORDS:
                name, _, pattern = line.partition(" = ")
                words[name.strip()] = _expand_words(pattern.strip(), words, number)
                continue
            if _AND in line and any(_has_bar_outside_parentheses(part) for part in line.split(_AND)):
                raise ValueError(
                    f"{RULES_FILE.name} line {number}: in a rule with ' & ', put each '|' inside parentheses"
                )
            pattern = _expand_words(line, words, number)
            rule = Rule.parse(category=category, kind=kind, pattern=pattern, line=number)
            rules.append(dataclasses.replace(rule, pattern=line))
        return cls(rules=tuple(rules))

    def without(self, rule: Rule) -> "RuleSet":
        """The same rules but one (for checking that every rule earns its place)."""
        return RuleSet(rules=tuple(r for r in self.rules if r != rule))

    def sentence_rules(self, sentence: str) -> tuple[list[Rule], list[Rule]]:
        """The "not urgent" rules and the flagging rules that match one folded sentence."""
        calming = [rule for rule in self.rules if rule.kind == Rule.NOT_URGENT and rule.search(sentence)]
        hits = [rule for rule in self.rules if rule.kind != Rule.NOT_URGENT and rule.search(sentence)]
        return calming, hits

    def matches(self, text: str) -> list[Match]:
        """Every crisis match in `text`, sentence by sentence, in order of appearance."""
        found = []
        for sentence in fold(text):
            calming, hits = self.sentence_rules(sentence)
            flagging = sorted(
                (
                    (hit, rule)
                    for rule in flagged_rules(calming, hits)
                    if (hit := rule.search(sentence)) is not None  # always: `hits` matched this sentence
                ),
                key=lambda hit_rule: hit_rule[0][0],
            )
            found += [Match(rule.category, hit[1], rule) for hit, rule in flagging]
        return found


def flagged_rules(calming: list[Rule], hits: list[Rule], *, without: Rule | None = None) -> list[Rule]:
    """Of a sentence's matching rules, those that flag it: every "flag" rule, and every "mention"
    rule unless a "not urgent" rule of its category matched too (`without` counts as absent)."""
    calm = {rule.category for rule in calming if rule != without}
    return [rule for rule in hits if rule != without and (rule.kind == Rule.FLAG or rule.category not in calm)]


@cache
def default_rules() -> RuleSet:
    """The rules of `rules.txt`, read once per process (the file changes only with a deploy)."""
    return RuleSet.parse(RULES_FILE.read_text(encoding="utf-8"))


def crisis_matches(text: str, *, rules: RuleSet | None = None) -> list[Match]:
    """What in `text` reads as a crisis, with the category and rule of each match."""
    return (rules or default_rules()).matches(text)


def crisis_terms(text: str) -> list[str]:
    """The crisis words and phrases found in `text` (folded to lower case), each once, in order."""
    return list(dict.fromkeys(match.text for match in crisis_matches(text)))


def crisis_categories(text: str) -> list[str]:
    """The labels of the crisis categories found in `text`, each once, in order of appearance."""
    return list(dict.fromkeys(CATEGORIES[match.category] for match in crisis_matches(text)))


def is_crisis(text: str) -> bool:
    """True when the wording model reads `text` as a crisis, or a rule matches it and the model is
    not sure it is ordinary (see `wording.py`: that spares a quarter of the rules' false alarms)."""
    model = wording.default_model()
    score = model.score(text)
    return score > model.threshold or (score >= model.overrules_below and bool(crisis_matches(text)))
