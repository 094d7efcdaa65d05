"""Load the clinic's FAQ article(s) from plain-text seed files into the database.

Run it once on a new database (`make run` does). It is safe to run again: an article that is
already there is left exactly as editors made it, unless you pass `--force`, which puts the
seed text back (editors' changes to that article are lost).

Seed format: the first line is the title; each line ending in "?" starts a question, and the
paragraphs after it are its answer; "Sources Cited:" ends the questions. Everything after it is
page chrome of the old site (phone line, comment form, "Scroll to Top"), which our templates
already provide, so it is not stored.
"""

from dataclasses import dataclass, field
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from articles.models import Article, FaqEntry

SEED_DIR = Path(__file__).resolve().parents[2] / "content"
SEEDS = {"opioid-induced-hyperalgesia": SEED_DIR / "hyperalgesia-faq.txt"}
END_OF_QUESTIONS = "Sources Cited:"


@dataclass
class SeedEntry:
    question: str
    paragraphs: list[str] = field(default_factory=list)


@dataclass
class Seed:
    title: str
    entries: list[SeedEntry]
    dropped: list[str]


def parse_seed(text: str) -> Seed:
    """Split a seed file into title and questions, keeping every answer's text as written.

    A lone fragment between answers that merely repeats the opening words of the next answer
    (the seed's stray "All opioids" line, a heading left behind by the old editor) is dropped
    and reported rather than glued onto the previous answer.
    """
    lines = [line.strip() for line in text.replace("\r\n", "\n").split("\n")]
    blocks = [line for line in lines if line]
    if not blocks:
        raise CommandError("The seed file is empty.")
    title, body = blocks[0], blocks[1:]
    if END_OF_QUESTIONS in body:
        body = body[: body.index(END_OF_QUESTIONS)]
    entries: list[SeedEntry] = []
    dropped: list[str] = []
    for index, block in enumerate(body):
        if block.endswith("?"):
            entries.append(SeedEntry(question=block))
        elif not entries:
            raise CommandError(f"Text before the first question: {block[:60]!r}")
        elif _is_stray_fragment(block, body[index + 1 :]):
            dropped.append(block)
        else:
            entries[-1].paragraphs.append(block)
    if not entries:
        raise CommandError("The seed file has no questions (lines ending in '?').")
    empty = [entry.question for entry in entries if not entry.paragraphs]
    if empty:
        raise CommandError(f"Questions without an answer: {empty}")
    return Seed(title=title, entries=entries, dropped=dropped)


def _is_stray_fragment(block: str, rest: list[str]) -> bool:
    """A short line with no closing punctuation that the next answer begins with."""
    if block[-1] in '.!?:;”")' or len(block.split()) > 6:
        return False
    following = [line for line in rest if not line.endswith("?")]
    return bool(following) and rest[0].endswith("?") and following[0].startswith(block)


def unique_anchor(question: str, taken: set[str]) -> str:
    base = slugify(question)
    if len(base) > 80:
        base = base[:80].rsplit("-", 1)[0]
    base = base or "question"
    anchor, n = base, 2
    while anchor in taken:
        anchor, n = f"{base}-{n}", n + 1
    taken.add(anchor)
    return anchor


class Command(BaseCommand):
    help = "Load the FAQ seed articles. Existing articles are left alone unless --force is given."

    def add_arguments(self, parser):
        parser.add_argument(
            "--force",
            action="store_true",
            help="Overwrite an existing article's text and FAQ entries with the seed (editors' changes are lost).",
        )

    def handle(self, *args, force: bool = False, **options):
        for slug, path in SEEDS.items():
            seed = parse_seed(path.read_text(encoding="utf-8"))
            for fragment in seed.dropped:
                self.stdout.write(f"Dropped stray fragment {fragment!r} (it repeats the start of the next answer).")
            self._load(slug, seed, force=force)

    @transaction.atomic
    def _load(self, slug: str, seed: Seed, *, force: bool) -> None:
        article = Article.objects.filter(slug=slug).first()
        if article and not force:
            self.stdout.write(f"'{article.title}' is already loaded; left as it is (use --force to overwrite).")
            return
        first_sentence = seed.entries[0].paragraphs[0].split(". ")[0].rstrip(".") + "."
        if article is None:
            article = Article(slug=slug)
        article.title = seed.title
        article.meta_description = first_sentence[:160]
        article.status = Article.Status.PUBLISHED
        article.published_at = article.published_at or timezone.now()
        article.save()
        article.entries.all().delete()
        taken: set[str] = set()
        FaqEntry.objects.bulk_create(
            FaqEntry(
                article=article,
                question=entry.question,
                answer="\n\n".join(entry.paragraphs),
                position=(index + 1) * 10,
                anchor=unique_anchor(entry.question, taken),
            )
            for index, entry in enumerate(seed.entries)
        )
        self.stdout.write(self.style.SUCCESS(f"Loaded '{article.title}' with {len(seed.entries)} questions."))
