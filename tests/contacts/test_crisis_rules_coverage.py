"""Every crisis rule is exercised by the labelled corpus, so deleting or breaking any one fails here, fast.

`test_crisis.py` checks that every rule of `rules.txt` decides some corpus verdict alone (so each
earns its place). That cannot notice a rule that is no longer in the file. These tests can: they
pin how many crisis messages the rules alone catch and how many mentions in ordinary messages
the "not urgent" rules calm. Deleting a rule that decides a verdict lowers one of the two; a
rule broken so that it matches nothing fails the first test.

A few seconds in all: each rule is tried against the folded corpus once, stopping at its first
match, instead of running the whole rule set once per rule.
"""

import pytest

from contacts.crisis import Rule, default_rules, flagged_rules, fold
from contacts.crisis.corpus import corpus_read

# What the rules alone do with corpus/ today. A change to rules.txt or to the corpus may move
# these on purpose (`make crisis-report` shows how): then set them to the numbers the tests print.
CRISIS_MESSAGES_CAUGHT = 5775
ORDINARY_MENTIONS_CALMED = 688


@pytest.fixture(scope="module")
def corpus() -> list[tuple[bool, list[str]]]:
    """Each corpus message as (is it a crisis, its sentences as the rules read them), in file order."""
    return [(example.is_crisis, fold(example.text)) for example in corpus_read()]


def sentences(corpus, *, crisis: bool) -> list[str]:
    return [sentence for is_crisis, folded in corpus if is_crisis == crisis for sentence in folded]


def where(rules: list[Rule]) -> str:
    return "\n".join(f"rules.txt line {rule.line}: {rule.pattern}" for rule in rules)


def test_every_flagging_rule_matches_a_crisis_message_and_every_not_urgent_rule_an_ordinary_one(corpus):
    crisis, ordinary = sentences(corpus, crisis=True), sentences(corpus, crisis=False)

    idle = [
        rule
        for rule in default_rules().rules
        if not any(rule.search(sentence) for sentence in (ordinary if rule.kind == Rule.NOT_URGENT else crisis))
    ]

    assert not idle, f"rules matching no message of their kind in corpus/ (broken, or no example):\n{where(idle)}"


def test_the_rules_alone_catch_as_many_crisis_messages_as_before_so_deleting_a_rule_fails(corpus):
    rules = default_rules().rules
    calming = [rule for rule in rules if rule.kind == Rule.NOT_URGENT]
    # Each sentence stops at the first rule that flags it, and that rule moves to the front: a few
    # rules flag most messages, so most sentences meet them first.
    flagging = [rule for rule in rules if rule.kind != Rule.NOT_URGENT]

    def flags(sentence: str) -> bool:
        for position, rule in enumerate(flagging):
            if not rule.search(sentence):
                continue
            # Only a mention can be calmed, so only a mention needs the sentence's "not urgent" rules.
            calm = [] if rule.kind == Rule.FLAG else [c for c in calming if c.search(sentence)]
            if flagged_rules(calm, [rule]):
                flagging.insert(0, flagging.pop(position))
                return True
        return False

    caught = sum(any(flags(sentence) for sentence in folded) for is_crisis, folded in corpus if is_crisis)

    assert caught == CRISIS_MESSAGES_CAUGHT, (
        f"the rules alone now catch {caught} crisis messages of corpus/, not {CRISIS_MESSAGES_CAUGHT}: "
        "fewer means a rule was deleted or broken; if rules or examples changed on purpose, "
        f"set CRISIS_MESSAGES_CAUGHT = {caught}"
    )


def test_not_urgent_rules_calm_as_many_mentions_as_before_so_deleting_one_fails(corpus):
    rules = default_rules().rules
    mentions = [rule for rule in rules if rule.kind == Rule.MENTION]
    calming = [rule for rule in rules if rule.kind == Rule.NOT_URGENT]

    calmed = 0
    for sentence in sentences(corpus, crisis=False):
        hits = [rule for rule in mentions if rule.search(sentence)]
        if hits and not flagged_rules([rule for rule in calming if rule.search(sentence)], hits):
            calmed += 1

    assert calmed == ORDINARY_MENTIONS_CALMED, (
        f"'not urgent' rules now calm {calmed} mentions in ordinary messages of corpus/, not "
        f"{ORDINARY_MENTIONS_CALMED}: fewer means one was deleted or broken; if rules or examples changed "
        f"on purpose, set ORDINARY_MENTIONS_CALMED = {calmed}"
    )
