"""The counselors' message list and its filters, timed in-process as a counselor, with the
indexes (or full scans) each query on the messages table uses (EXPLAIN). Part of `make bench`."""

import re
import time
from statistics import median

ADMIN_TIMINGS = 7  # requests per admin URL; the first is a warm-up, the rest are timed


def admin_list_urls() -> list[tuple[str, str]]:
    from urllib.parse import urlencode

    from django.contrib.auth import get_user_model
    from django.urls import reverse
    from django.utils import timezone

    from bench.dataset import STAFF_PREFIX

    url = reverse("admin:contacts_message_changelist")
    assignee = get_user_model().objects.filter(username=f"{STAFF_PREFIX}7").values_list("pk", flat=True).first()
    # As the admin's own "Past 7 days" link writes it.
    today = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    since, until = today - timezone.timedelta(days=7), today + timezone.timedelta(days=1)
    week = urlencode({"created_at__gte": str(since), "created_at__lt": str(until)})
    return [
        ("open queue (default)", url),
        ("status: new", f"{url}?queue=new"),
        ("status: closed", f"{url}?queue=closed"),
        ("status: all", f"{url}?queue=all"),
        ("urgent: yes", f"{url}?urgent__exact=1"),
        ("assignee", f"{url}?assigned_to__id__exact={assignee}&queue=all"),
        ("date: past 7 days", f"{url}?{week}&queue=all"),
        ("new + urgent", f"{url}?queue=new&urgent__exact=1"),
        ("closed, page 100", f"{url}?queue=closed&p=100"),
    ]


def explain_indexes(sql: str) -> list[str]:
    """The indexes (or full scans) the database plans for one query on the messages table."""
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"EXPLAIN {sql}")
            plan = "\n".join(row[0] for row in cursor.fetchall())
            found = re.findall(r"(?:Index (?:Only )?Scan(?: Backward)? using|Bitmap Index Scan on) (\w+)", plan)
            found += [f"SEQ SCAN {name}" for name in re.findall(r"Seq Scan on (\w+)", plan)]
        else:
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}")
            details = [str(row[-1]) for row in cursor.fetchall()]
            found = [name for detail in details for name in re.findall(r"USING (?:COVERING )?INDEX (\w+)", detail)]
            found += [f"FULL SCAN {match[1]}" for d in details if (match := re.fullmatch(r"SCAN (\w+)", d))]
    return list(dict.fromkeys(found)) or ["(no table scan)"]


def measure_admin() -> list[str]:
    """Time the counselors' message list and its filters, and show each query's indexes."""
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from bench.dataset import COUNSELOR
    from contacts.models import Message

    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(
        get_user_model().objects.get(username=COUNSELOR), backend="django.contrib.auth.backends.ModelBackend"
    )
    table = Message._meta.db_table
    lines = [
        f"admin message list as a counselor, {Message.objects.count():,} rows; ms over {ADMIN_TIMINGS - 1} requests:"
    ]
    for label, url in admin_list_urls():
        timings = []
        for attempt in range(ADMIN_TIMINGS):
            with CaptureQueriesContext(connection) as captured:
                started = time.perf_counter()
                response = client.get(url)
                elapsed = (time.perf_counter() - started) * 1000
            assert response.status_code == 200, (url, response.status_code)
            if attempt:
                timings.append(elapsed)
        lines.append(
            f"  {label:<22} median {median(timings):6.1f}  max {max(timings):6.1f}  "
            f"{len(captured.captured_queries)} queries"
        )
        for query in captured.captured_queries:
            sql = query["sql"]
            if f'"{table}"' not in sql or not sql.lstrip().upper().startswith("SELECT"):
                continue
            kind = "count" if "COUNT(" in sql.upper() else "rows "
            where = sql.upper().split(" WHERE ", 1)
            if kind == "count" and len(where) == 1:
                kind = "FULL COUNT"
            lines.append(f"      {kind} {query['time']:>6}s  {', '.join(explain_indexes(sql))}")
    return lines
