import pytest
from django.core.management import call_command

from contacts.crisis import CATEGORIES, RuleSet, crisis_categories, crisis_terms, default_rules, fold, is_crisis
from contacts.crisis.corpus import CORPUS_DIR, ORDINARY, corpus_read, crisis_evaluate, rules_not_needed


@pytest.fixture(scope="module")
def corpus():
    return corpus_read()


# The labelled corpus


def test_the_corpus_holds_at_least_150_crisis_and_150_ordinary_messages_in_every_category(corpus):
    crisis = [example for example in corpus if example.is_crisis]
    assert len(crisis) >= 150
    assert len([example for example in corpus if example.category == ORDINARY]) >= 150
    assert {example.category for example in crisis} == set(CATEGORIES)


def test_the_crisis_check_catches_at_least_98_percent_of_crisis_messages_with_at_most_5_percent_false_alarms(corpus):
    report = crisis_evaluate(corpus, flag=is_crisis)
    missed = "\n".join(f"{e.category}: {e.text}" for e in report.missed)
    false_alarms = "\n".join(e.text for e in report.false_alarms)
    assert report.recall >= 0.98, f"missed:\n{missed}"
    assert report.false_alarm_rate <= 0.05, f"false alarms:\n{false_alarms}"


@pytest.mark.parametrize("category", CATEGORIES)
def test_the_rules_alone_catch_every_category_at_least_nine_times_in_ten(corpus, category):
    report = crisis_evaluate([example for example in corpus if example.category == category])
    assert report.recall >= 0.9, [e.text for e in report.missed]


def test_every_rule_changes_a_verdict_on_the_corpus_so_removing_any_one_fails(corpus):
    unneeded = rules_not_needed(corpus)
    assert not unneeded, "rules that catch no corpus message alone:\n" + "\n".join(
        f"rules.txt line {rule.line}: {rule.pattern}" for rule in unneeded
    )


def test_removing_a_rule_costs_the_corpus_a_verdict(corpus):
    # The check above, done the slow way for one rule (a minute), so the fast way cannot drift from it.
    rules = default_rules()
    full = crisis_evaluate(corpus, rules=rules).wrong
    rule = rules.rules[len(rules.rules) // 2]
    assert crisis_evaluate(corpus, rules=rules.without(rule)).wrong > full, rule.pattern


# How people write


@pytest.mark.parametrize(
    ("text", "category"),
    [
        # Suicidal thoughts, direct and indirect, hedged and negated
        ("I don't want to wake up tomorrow", "ideation"),
        ("everyone would be better off without me", "ideation"),
        ("im so suicdal", "ideation"),
        ("I want to unalive myself", "ideation"),
        ("quiero morir", "ideation"),
        ("I'm not suicidal, I just don't see the point of living anymore", "ideation"),
        ("thinking of ending it all", "ideation"),
        # Intent, plan, means and timing
        ("I'm thinking of ending it tonight", "ideation"),
        ("kms", "intent_plan"),
        ("kill my self", "intent_plan"),
        ("I'm sitting in my car in the garage with the engine running", "intent_plan"),
        ("been saving up my pills for weeks", "intent_plan"),
        ("me quiero matar", "intent_plan"),
        ("voy a suicidarme", "intent_plan"),
        # Self-harm
        ("I keep wanting to hurt myself", "self_harm"),
        ("started cutting again last night", "self_harm"),
        # An overdose happening now
        ("I took way too many pills an hour ago", "overdose_now"),
        ("my friend used and now she's turning blue", "overdose_now"),
        ("he's not breathing right after he used", "overdose_now"),
        ("i think im od'ing", "overdose_now"),
        ("mi hermano tomó una sobredosis y no despierta", "overdose_now"),
        # Someone else at risk
        ("my son is threatening to kill himself", "other_at_risk"),
        ("my dad said he's going to shoot himself", "other_at_risk"),
        # Farewell acts
        ("I wrote goodbye letters to my kids", "farewell"),
        ("I've been giving away all my stuff this week", "farewell"),
    ],
)
def test_crisis_messages_are_flagged_with_their_category(text, category):
    assert CATEGORIES[category] in crisis_categories(text)


@pytest.mark.parametrize(
    "text",
    [
        "s\u200buicide",  # a zero-width space inside the word
        "ｓｕｉｃｉｄｅ",  # full-width letters
        "SUICIDE",
        "I\u2019m thinking about k\u00adilling myself",  # curly apostrophe, soft hyphen
        "acabar con todo",
        "acabar con tódo",  # an accent where none belongs
    ],
)
def test_unicode_tricks_and_accents_are_folded_before_matching(text):
    assert crisis_terms(text)


@pytest.mark.parametrize(
    "text",
    [
        "Where can I get Narcan in case of overdose?",
        "I lost my uncle to an overdose years ago",
        "Is there naloxone training at the clinic?",
        "this pain is killing me",
        "I'm dying to know if my insurance covers this",
        "I'm dead tired after work, can I come on Saturday?",
        "Do you take Medicaid?",
        "My back pain got worse when my dose went up. Could that be hyperalgesia?",
        "i cant go on saturday, can i come sunday",
        "",
    ],
)
def test_ordinary_messages_and_harm_reduction_questions_are_not_flagged(text):
    assert crisis_terms(text) == []


def test_an_overdose_mentioned_with_prevention_in_one_sentence_still_flags_one_happening_in_another():
    assert crisis_terms("I did naloxone training last year. My friend is overdosing right now!")


def test_text_is_read_sentence_by_sentence_in_lower_case_without_apostrophes_or_accents():
    assert fold("I DON’T know.  Más  tarde!\nO.D.?") == ["i dont know", "mas tarde", "o d"]


# The rule file


def test_the_rule_file_names_only_known_categories_and_every_category_has_rules():
    assert {rule.category for rule in default_rules().rules} == set(CATEGORIES)


@pytest.mark.parametrize(
    ("source", "error"),
    [
        ("[feelings]\nsad", "line 1: unknown category 'feelings'"),
        ("want to die", "line 1: a rule before any [category] heading"),
        ("[ideation]\n# why\n(want to die", "line 3: '(want to die' is not a valid pattern"),
        ("[ideation]\n{nothing} to live for", "line 2: {nothing} is not defined under [words]"),
        ("[intent_plan]\nrope|cord & beam", "line 2: in a rule with ' & ', put each '|' inside parentheses"),
    ],
)
def test_a_broken_rule_file_says_which_line_is_wrong(source, error):
    with pytest.raises(ValueError, match=error.replace("(", r"\(").replace("[", r"\[").replace("{", r"\{")):
        RuleSet.parse(source)


def test_words_are_listed_once_and_used_in_rules_by_name():
    rules = RuleSet.parse("[words]\nself = (myself|my self)\n[self_harm]\nhurt {self}  # a comment")
    assert [rule.pattern for rule in rules.rules] == ["hurt {self}"]
    assert rules.matches("I want to hurt my self")


def test_parts_joined_by_and_must_all_be_in_one_sentence_in_any_order():
    rules = RuleSet.parse("[intent_plan]\n(rope|cord) & (beam|rafter)")
    assert rules.matches("the beam in the basement and a rope")
    assert rules.matches("got a cord, it reaches the rafter")
    assert not rules.matches("I bought rope. The beam is old.")
    assert not rules.matches("a rope swing")


def test_a_mention_is_calmed_only_by_a_not_urgent_rule_of_its_own_category():
    rules = RuleSet.parse(
        "[overdose_now: mention]\noverdose\n[overdose_now: not urgent]\nnarcan\n[ideation: not urgent]\nyears ago"
    )
    assert not rules.matches("where do I get narcan for an overdose")
    assert rules.matches("an overdose years ago")


def test_the_report_command_prints_recall_per_category_and_false_alarms(capsys):
    call_command("crisis_report", file=CORPUS_DIR / "01-first.tsv")
    out = capsys.readouterr().out
    for label in CATEGORIES.values():
        assert label in out
    assert "False alarms (ordinary messages flagged)" in out
    assert "All crisis messages" in out


def test_the_report_command_explains_a_malformed_corpus(tmp_path):
    from django.core.management.base import CommandError

    bad = tmp_path / "bad.tsv"
    bad.write_text("sadness\tI feel low\n", encoding="utf-8")
    with pytest.raises(CommandError, match="bad.tsv line 1"):
        call_command("crisis_report", file=bad)
