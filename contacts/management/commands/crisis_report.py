"""Print how well the crisis check sorts the labelled messages: recall per category, false alarms.

Prints the site's verdict (rules or wording model), then the rules alone and the model alone.
Run after editing `contacts/crisis/rules.txt` or training the model (or `make crisis-report`). By default it reads every
file of `contacts/crisis/corpus/`; `--file` evaluates another labelled file of the same format (a
held-out set kept outside the repository); `--show` lists the messages missed and the false alarms.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from contacts.crisis import crisis_matches, is_crisis
from contacts.crisis.corpus import CORPUS_DIR, corpus_read, crisis_evaluate
from contacts.crisis.wording import default_model


class Command(BaseCommand):
    help = "Recall per crisis category and the false-alarm rate of the crisis rules on a labelled corpus."

    def add_arguments(self, parser):
        parser.add_argument("--file", type=Path, help="A labelled file (category<TAB>text) instead of the corpus.")
        parser.add_argument("--show", action="store_true", help="List missed messages and false alarms.")

    def handle(self, *args, file: Path | None, show: bool, **options):
        try:
            examples = corpus_read(file) if file else corpus_read()
        except (OSError, ValueError) as error:
            raise CommandError(str(error)) from error
        where = file.name if file else f"the corpus ({CORPUS_DIR.name}/, {len({e.source for e in examples})} files)"
        model = default_model()
        checks = [
            ("Crisis check (rules and wording model, as the site decides)", is_crisis),
            ("Rules alone", None),
            ("Wording model alone", model.flags),
        ]
        reports = [crisis_evaluate(examples, flag=flag) for _, flag in checks]
        for (title, _), report in zip(checks, reports, strict=True):
            self.stdout.write(f"{title} on {where}: {len(examples)} messages")
            for line in report.lines():
                self.stdout.write(line)
            self.stdout.write("")
        report = reports[0]  # the site's own verdict: what --show lists
        if show:
            for example in report.missed:
                self.stdout.write(f"MISSED {example.category} ({example.source} line {example.line}): {example.text}")
            for example in report.false_alarms:
                matches = crisis_matches(example.text)
                terms = ", ".join(f"{m.text!r} ({m.rule.category}, rules.txt line {m.rule.line})" for m in matches)
                if not matches:
                    terms = "wording model: " + ", ".join(repr(phrase) for phrase in model.strongest(example.text))
                self.stdout.write(f"FALSE ALARM ({example.source} line {example.line}): {example.text}  <- {terms}")
