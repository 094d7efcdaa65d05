"""Benchmark: an article page with thousands of comments. Prints figures; asserts nothing.

    DJANGO_DEBUG=1 .venv/bin/python bench/comments_page.py --comments 5000

Builds a throwaway test database (SQLite in memory, or `test_<name>` on DATABASE_URL's server),
fills one article with comments (every third thread has two replies), then times the first,
a middle and the last comments page through Django's test client and counts their queries.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clinic.settings")
os.environ.setdefault("DJANGO_STATICFILES_STORAGE", "django.contrib.staticfiles.storage.StaticFilesStorage")

import django

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402
from django.utils import timezone  # noqa: E402


def build(threads: int):
    from articles.models import Article
    from contacts.models import Comment

    article = Article.objects.create(
        title="Bench article",
        slug="bench-article",
        status=Article.Status.PUBLISHED,
        published_at=timezone.now() - timezone.timedelta(days=1),
    )
    tops = Comment.objects.bulk_create(
        Comment(
            article=article,
            author_name=f"Reader {n}",
            author_email=f"r{n}@example.com",
            body=f"Comment {n} with a link https://example.org/{n}\nand a second line.",
            status=Comment.Status.APPROVED if n % 10 else Comment.Status.SPAM,
        )
        for n in range(threads)
    )
    Comment.objects.bulk_create(
        Comment(
            article=article,
            parent=top,
            author_name="Counselor",
            author_email="c@example.com",
            body=f"Reply {k} to {top.pk}",
            status=Comment.Status.APPROVED,
        )
        for top in tops[::3]
        for k in range(2)
    )
    return article, Comment.objects.filter(article=article).count()


def measure(client: Client, url: str, runs: int) -> tuple[float, float, int]:
    client.get(url)  # warm up
    timings = []
    for _ in range(runs):
        start = time.perf_counter()
        response = client.get(url)
        timings.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, response.status_code
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    return statistics.median(timings), max(timings), len(queries)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--comments", type=int, default=5000, help="top-level comments to create (default 5000)")
    parser.add_argument("--runs", type=int, default=15, help="timed requests per page (default 15)")
    args = parser.parse_args()

    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        article, total = build(args.comments)
        client = Client()
        pages = client.get(article.get_absolute_url()).context["comment_page"].paginator.num_pages
        print(f"{connection.vendor}: {total} comments stored, {pages} pages of threads")
        for number in sorted({1, (pages + 1) // 2, pages}):
            median, worst, queries = measure(client, f"{article.get_absolute_url()}?cpage={number}", args.runs)
            print(f"page {number:>4}: median {median:6.1f} ms, worst {worst:6.1f} ms, {queries} queries")
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
