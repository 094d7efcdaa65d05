"""Fault tests: the site as production runs it, broken on purpose (a script, not a test; docs/faults.md).

    make chaos                                        # PostgreSQL database clinic_chaos on 127.0.0.1:5432
    DATABASE_URL=postgres://…/clinic_scratch make chaos

gunicorn with production settings (DEBUG off, several workers) behind nginx with the shipped
template (when nginx is installed), on a scratch PostgreSQL database, with the counselors'
notifications sent by `send_pending_notifications --loop` as in production. The site reaches
PostgreSQL and Redis through proxies this script can cut or freeze, and mail through a port it
controls (deploy/fault_servers.py), so no shared server is ever stopped. Redis is a private
redis-server on a free port when one is installed, else REDIS_URL's (only ever behind the proxy).

Faults: a worker killed (SIGKILL) during a burst of messages; mail down, then hung, then back;
Redis down, then paused; the database unreachable (with mail up, then hung too). For each it
prints what a patient and a counselor saw and whether anything was lost, and exits 1 if anything
was (a 302 without its row, a notification never sent, a refused message whose words were not
given back) or a check failed.

Environment (all optional): DATABASE_URL, REDIS_URL, CHAOS_MESSAGES (200, the burst),
CHAOS_CONCURRENCY (16), CHAOS_WORKERS (4).
"""

import itertools
import os
import random
import secrets
import shutil
import signal
import sys
import tempfile
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from statistics import median
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.app_server import worker_pids
from deploy.chaos_client import Answer, Patient, heading, request
from deploy.chaos_site import Site, configure, prepare

BURST = int(os.environ.get("CHAOS_MESSAGES") or 200)
CONCURRENCY = int(os.environ.get("CHAOS_CONCURRENCY") or 16)
WORKERS = int(os.environ.get("CHAOS_WORKERS") or 4)
SEQUENTIAL = 20  # messages sent one after another in each mail, Redis and database fault
MAIL_BACK_DEADLINE = 300  # seconds the notifications have to get out once mail is back
RUN = f"chaos-{secrets.token_hex(3)}"
problems: list[str] = []
everyone: list[Patient] = []
_numbers = itertools.count(1)


def new_patients(count: int) -> list[Patient]:
    """Patients with messages of their own (a number unique in this run, and their own form token)."""
    patients = [Patient(RUN, next(_numbers)) for _ in range(count)]
    everyone.extend(patients)
    return patients


def check(ok: bool, failure: str) -> bool:
    if not ok:
        problems.append(failure)
    return ok


def times(answers: list[Answer]) -> str:
    seconds = sorted(answer.seconds for answer in answers)
    return f"p50 {median(seconds) * 1000:.0f} ms, max {seconds[-1] * 1000:.0f} ms" if seconds else "-"


def statuses(answers: list[Answer]) -> str:
    """What the people saw: each status (with its page's heading unless a redirect) and how many times."""
    seen = Counter(f"{a.status}" + (f" “{heading(a)}”" if a.status != 302 and heading(a) else "") for a in answers)
    return ", ".join(f"{what} ×{count}" for what, count in seen.most_common())


def stored() -> Counter:
    """Rows stored per patient reference of this run."""
    from contacts.models import Message

    bodies = Message.objects.filter(body__contains=f"Reference {RUN}-").values_list("body", flat=True)
    return Counter(body.rsplit("Reference ", 1)[1].rstrip(".") for body in bodies)


def send_all(patients: list[Patient], url: str) -> list[Answer]:
    """Each patient sends their message, one after another."""
    return [patient.send(url) for patient in patients]


def report_stored(label: str, patients: list[Patient], answers: list[Answer]) -> None:
    """Print the rows stored for the answers 302 (and `label`); each must have exactly one, else LOST."""
    rows = stored()
    sent = [p for p, a in zip(patients, answers, strict=True) if a.status == 302]
    missing = [p.reference for p in sent if rows[p.reference] != 1]
    print(f"  stored: {sum(rows[p.reference] for p in sent)} rows for {len(sent)} answers 302", end="")
    print(f"; {label}" if label else "")
    check(not missing, f"LOST: {len(missing)} messages answered 302 without exactly one row: {missing[:5]}")


def fault_worker_killed(site: Site) -> None:
    print(f"== a worker killed (SIGKILL), twice, during a burst of {BURST} messages, {CONCURRENCY} at a time")
    patients = new_patients(BURST)
    answered: list[int] = []
    killed: list[int] = []

    def send(patient: Patient) -> Answer:
        answer = patient.send(site.url)
        answered.append(1)
        return answer

    def killer() -> None:
        for share in (1 / 3, 2 / 3):
            while len(answered) < BURST * share:
                time.sleep(0.005)
            pid = random.choice(worker_pids(site.server.pid))
            os.kill(pid, signal.SIGKILL)
            killed.append(pid)

    killing = threading.Thread(target=killer)
    killing.start()
    with ThreadPoolExecutor(CONCURRENCY) as pool:
        answers = list(pool.map(send, patients))
    killing.join()
    time.sleep(1)
    failed = [(p, a) for p, a in zip(patients, answers, strict=True) if a.status != 302]
    print(f"  killed workers {killed}; patients saw: {statuses(answers)}; POST {times(answers)}")
    shown_as_success = [a.status for _p, a in failed if isinstance(a.status, int) and a.status < 400]
    check(not shown_as_success, f"a message not taken was answered without an error: {shown_as_success}")
    rows_before = stored()
    already = sum(1 for p, _a in failed if rows_before[p.reference])
    report_stored(f"{already} of the {len(failed)} that failed were stored before the cut", patients, answers)
    again = [p.send(site.url) for p, _a in failed]
    print(f"  the {len(failed)} patients who saw an error pressed Send again (the same form): {statuses(again)}")
    rows = stored()
    check(all(a.status == 302 for a in again), "a message sent again after the kill was not taken")
    doubled = [p.reference for p in patients if rows[p.reference] > 1]
    missing = [p.reference for p in patients if rows[p.reference] == 0]
    total = sum(rows[p.reference] for p in patients)
    print(f"  in the end: {total} rows for {BURST} messages, {len(doubled) or 'none'} stored twice")
    check(not doubled and not missing, f"LOST or doubled after resending: missing {missing[:5]}, twice {doubled[:5]}")
    print("  lost: " + ("nothing" if not missing and not doubled else "SEE ABOVE"))


def notifications_of(patients: list[Patient]):
    """The counselors' notifications of these patients' stored messages (one each)."""
    from contacts.models import Message, Notification

    numbers = Message.objects.filter(body__in=[p.words for p in patients]).values_list("pk", flat=True)
    return Notification.objects.filter(subject__in=[f"New message #{pk}" for pk in numbers])


def every_notification_sent(site: Site, deadline: float) -> tuple[int, int]:
    """Wait up to `deadline` seconds for every message of this run to have its notification taken by
    the mail server. Returns (messages whose notification it took, messages); one without is LOST."""
    from contacts.models import Message

    started = time.monotonic()
    notifications = notifications_of(everyone)
    while notifications.filter(sent_at__isnull=True).exists() and time.monotonic() - started < deadline:
        time.sleep(1)
    messages = Message.objects.filter(body__in=[p.words for p in everyone]).count()
    taken = len(set(notifications.values_list("subject", flat=True)) & set(site.mail.subjects))
    check(
        taken == messages,
        f"LOST: {messages - taken} of {messages} messages' notifications never reached the mail server",
    )
    return taken, messages


def fault_mail(site: Site, password: str, baseline: list[Answer]) -> None:
    from django.db.models import Max
    from django.utils import timezone

    during: list[Patient] = []
    for mode in ("down", "hung"):
        what = "nothing listens on the SMTP port" if mode == "down" else "it accepts connections, never answers"
        print(f"== mail {mode}: {what}")
        if mode == "down":
            site.mail.down()
        else:
            site.mail.hang()
        patients = new_patients(SEQUENTIAL)
        during += patients
        answers = send_all(patients, site.url)
        print(f"  patients saw: {statuses(answers)}; POST {times(answers)} (with mail up: {times(baseline)})")
        check(all(a.status == 302 for a in answers), f"mail {mode}: a message was not taken")
        report_stored("", patients, answers)
        pending = notifications_of(patients).filter(sent_at__isnull=True).count()
        print(f"  counselor: {site.counselor_visit(password)}; {pending} of {len(patients)} emails waiting to be sent")
        time.sleep(6)  # at least one pass of the sender meets the broken mail server
    tried = notifications_of(everyone).filter(sent_at__isnull=True, attempts__gt=0)
    tried_numbers = list(tried.values_list("pk", flat=True))
    site.mail.up()
    back = timezone.now()
    print("== mail back up")
    taken, messages = every_notification_sent(site, MAIL_BACK_DEADLINE)

    def after(notifications) -> str:
        last = notifications.aggregate(last=Max("sent_at"))["last"]
        return f"{(last - back).total_seconds():.0f} s" if last else "-"

    print(
        f"  counselors: the emails of the {len(during)} messages sent during the outage arrived within "
        f"{after(notifications_of(during))} of mail coming back; the {len(tried_numbers)} the sender had tried "
        f"while mail was broken, within {after(tried.model.objects.filter(pk__in=tried_numbers))} (a failed try "
        f"waits a minute before the next); {taken} of the {messages} messages of this run so far have theirs"
    )
    print("  lost: " + ("nothing" if taken == messages else "SEE ABOVE"))


def fault_redis(site: Site, password: str, baseline: list[Answer]) -> None:
    if site.redis is None:
        print("== Redis: skipped (no redis-server installed, no REDIS_URL: rate limits live in PostgreSQL)")
        return
    for mode in ("down", "paused"):
        print(f"== Redis {mode}: " + ("connections refused" if mode == "down" else "connections accepted, no answer"))
        if mode == "down":
            site.redis.cut()
        else:
            site.redis.freeze()
        visit = site.counselor_visit(password)
        patients = new_patients(SEQUENTIAL)
        answers = send_all(patients, site.url)
        site.redis.restore()
        print(f"  patients saw: {statuses(answers)}; POST {times(answers)} (with Redis up: {times(baseline)})")
        print(f"  counselor: {visit}")
        check("signed in" in visit, f"Redis {mode}: a counselor could not sign in")
        check(all(a.status == 302 for a in answers), f"Redis {mode}: a message was not taken")
        report_stored("", patients, answers)
        print("  lost: nothing" if all(a.status == 302 for a in answers) else "  lost: SEE ABOVE")


def fault_database(site: Site, password: str) -> None:
    print("== database unreachable (its proxy stopped: connections refused, open ones broken)")
    request(site.url, "GET", "/")  # a reader's visit just before, as nginx's page cache would have it
    site.database.cut()
    patients = new_patients(SEQUENTIAL)
    answers = send_all(patients, site.url)
    kept = sum(1 for p, a in zip(patients, answers, strict=True) if p.words in a.text)
    retry = Counter(a.headers.get("retry-after", "none") for a in answers)
    print(f"  patients saw: {statuses(answers)}; POST {times(answers)}; words given back on {kept} of {len(answers)}")
    print(f"    Retry-After: {dict(retry)}")
    home = request(site.url, "GET", "/")
    print(f"  a reader opening the home page: {home.status} (nginx cache: {home.headers.get('x-cache-status', '-')})")
    print(f"  counselor: {site.counselor_visit(password)}")
    site.mail.hang()
    hung_too = new_patients(3)
    hung_answers = send_all(hung_too, site.url)
    site.mail.up()
    print(f"  with mail hung as well (error reports to ADMINS): {statuses(hung_answers)}; POST {times(hung_answers)}")
    site.database.restore()
    patients += hung_too
    answers += hung_answers
    refused = [p for p, a in zip(patients, answers, strict=True) if a.status != 302]
    again = send_all(refused, site.url)
    print(f"== database back: the {len(refused)} patients pressed Send again: {statuses(again)}; POST {times(again)}")
    report_stored("", refused, again)
    check(all(a.status == 302 for a in again), "database back: a message sent again was not taken")
    words_lost = [a.status for p, a in zip(patients, answers, strict=True) if a.status != 302 and p.words not in a.text]
    check(not words_lost, f"LOST: {len(words_lost)} refused messages did not give the words back ({words_lost[:3]})")
    print("  lost: " + ("nothing" if not words_lost else "SEE ABOVE"))


def main() -> None:
    folder = Path(tempfile.mkdtemp(prefix="clinic-chaos-"))
    configure(folder, cache_prefix=RUN)
    password = secrets.token_urlsafe(16)
    print(f"== preparing {urlsplit(os.environ['DATABASE_URL']).path.lstrip('/')} (migrate, collectstatic); run {RUN}")
    prepare(password)
    site = Site(folder, workers=WORKERS)
    try:
        print(f"== site: gunicorn with {WORKERS} workers, {site.describe()}")
        baseline = send_all(new_patients(SEQUENTIAL), site.url)
        print(f"== all well: {statuses(baseline)}; POST {times(baseline)}; counselor {site.counselor_visit(password)}")
        fault_worker_killed(site)
        fault_mail(site, password, baseline)
        fault_redis(site, password, baseline)
        fault_database(site, password)
        taken, messages = every_notification_sent(site, MAIL_BACK_DEADLINE)
        print(
            f"== afterwards: the mail server took the counselors' emails of {taken} of the {messages} messages stored"
        )
    finally:
        site.stop()
    print()
    if problems:
        print("FAILED:\n  " + "\n  ".join(problems) + f"\nlogs kept in {folder}")
        sys.exit(1)
    shutil.rmtree(folder, ignore_errors=True)
    print("nothing lost: every 302 has its row, every notification went out, every refusal gave the words back")


if __name__ == "__main__":
    main()
