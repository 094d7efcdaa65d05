"""The labelled messages of `corpus/` and how well a rule set sorts them (`manage.py crisis_report`)."""

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from contacts.crisis import CATEGORIES, Rule, RuleSet, default_rules, flagged_rules, fold

# Every *.tsv file here, in name order: 01-first.tsv, then sets written blind by other authors.
CORPUS_DIR = Path(__file__).with_name("corpus")
ORDINARY = "ordinary"


@dataclass(frozen=True)
class Example:
    category: str
    text: str
    line: int
    source: str = ""

    @property
    def is_crisis(self) -> bool:
        return self.category != ORDINARY


def corpus_read(*paths: Path) -> list[Example]:
    """The examples of labelled files (by default every file of `CORPUS_DIR`)."""
    paths = paths or tuple(sorted(CORPUS_DIR.glob("*.tsv")))
    return [example for path in paths for example in corpus_file_read(path)]


def corpus_file_read(path: Path) -> list[Example]:
    """The examples of one labelled file: `category<TAB>text` a line, `#` comments and blank lines skipped."""
    examples = []
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not raw.strip() or raw.startswith("#"):
            continue
        category, tab, text = raw.partition("\t")
        if not tab or not text.strip() or (category not in CATEGORIES and category != ORDINARY):
            raise ValueError(f"{path.name} line {number}: expected 'category<TAB>text' with a known category")
        examples.append(Example(category=category, text=text.strip(), line=number, source=path.name))
    return examples


@dataclass
class Report:
    """Recall per crisis category and the false-alarm rate of ordinary messages."""

    caught: dict[str, int] = field(default_factory=dict)
    total: dict[str, int] = field(default_factory=dict)
    missed: list[Example] = field(default_factory=list)
    false_alarms: list[Example] = field(default_factory=list)
    ordinary: int = 0

    @property
    def crisis_total(self) -> int:
        return sum(self.total.values())

    @property
    def recall(self) -> float:
        return sum(self.caught.values()) / self.crisis_total if self.crisis_total else 1.0

    @property
    def false_alarm_rate(self) -> float:
        return len(self.false_alarms) / self.ordinary if self.ordinary else 0.0

    @property
    def wrong(self) -> int:
        return len(self.missed) + len(self.false_alarms)

    def lines(self) -> list[str]:
        """The report as printed: one line per category, then the totals."""
        rows = [f"{'':<45} {'caught':>11} {'recall':>7}"]
        for category, label in CATEGORIES.items():
            total, caught = self.total.get(category, 0), self.caught.get(category, 0)
            recall = f"{caught / total:.1%}" if total else "-"
            rows.append(f"{label + ' (' + category + ')':<45} {caught:>5}/{total:<5} {recall:>7}")
        caught = self.crisis_total - len(self.missed)
        rows.append(f"{'All crisis messages':<45} {caught:>5}/{self.crisis_total:<5} {self.recall:>7.1%}")
        flagged, rate = len(self.false_alarms), self.false_alarm_rate
        rows.append(f"{'False alarms (ordinary messages flagged)':<45} {flagged:>5}/{self.ordinary:<5} {rate:>7.1%}")
        return rows


def crisis_evaluate(
    examples: list[Example], *, rules: RuleSet | None = None, flag: Callable[[str], bool] | None = None
) -> Report:
    """How a check sorts the labelled examples: `flag(text)`, or else `rules` (by default the site's) alone."""
    if flag is None:
        rules = rules or default_rules()

        def flag(text: str) -> bool:
            return bool(rules.matches(text))

    report = Report()
    for example in examples:
        flagged = flag(example.text)
        if example.is_crisis:
            report.total[example.category] = report.total.get(example.category, 0) + 1
            report.caught[example.category] = report.caught.get(example.category, 0) + flagged
            if not flagged:
                report.missed.append(example)
        else:
            report.ordinary += 1
            if flagged:
                report.false_alarms.append(example)
    return report


def rules_not_needed(examples: list[Example], *, rules: RuleSet | None = None) -> list[Rule]:
    """The rules whose removal would change no verdict on `examples`: each rule must earn its place.

    A flagging rule is needed when some example is flagged by it alone; a "not urgent" rule
    when some example would be flagged without it. (The same as evaluating the rule set once
    per rule without it, computed from one pass over the examples.)
    """
    rules = rules or default_rules()
    needed: set[Rule] = set()
    for example in examples:
        sentences = [rules.sentence_rules(sentence) for sentence in fold(example.text)]
        if _flagged(sentences, without=None) != example.is_crisis:
            continue  # already wrong: no single rule makes it right
        candidates = {rule for calming, hits in sentences for rule in calming + hits}
        needed |= {rule for rule in candidates if _flagged(sentences, without=rule) != example.is_crisis}
    return [rule for rule in rules.rules if rule not in needed]


def _flagged(sentences: list[tuple[list[Rule], list[Rule]]], *, without: Rule | None) -> bool:
    return any(flagged_rules(calming, hits, without=without) for calming, hits in sentences)
