"""The publishes of `python -m bench --scale N`: a draft province-wide meeting per province, and
work run in forked processes released together (three publishes at once; their baseline, three
bulk inserts at once), each reporting its time and resident memory."""

import multiprocessing
import time
import traceback
from datetime import timedelta

from bench.scale_data import GOVERNMENT, province_codes


def _status_kb(field: str) -> int:
    with open("/proc/self/status") as status:
        return next(int(x.split()[1]) for x in status if x.startswith(field + ":"))


def _child(work, args, barrier, queue, enter=None) -> None:
    """A forked process: wait for its siblings, time `work(*args)`, report through the queue.
    `enter`: called first (joins the process to its service's CPU group)."""
    from django.conf import settings
    from django.db import connection

    settings.DEBUG = False  # as in production: Django keeps no SQL text
    try:
        if enter is not None:
            enter()
        rss = _status_kb("VmRSS")
        prepared = work(*args, prepare=True)
        barrier.wait(timeout=120)
        started_at, started = time.time(), time.perf_counter()
        out = work(*args, prepared=prepared)
        seconds = time.perf_counter() - started
        queue.put(
            {
                **out,
                "seconds": round(seconds, 3),
                "started_at": started_at,
                "rss_start_mb": round(rss / 1024, 1),
                "rss_peak_mb": round(_status_kb("VmHWM") / 1024, 1),
            }
        )
    except BaseException:
        queue.put({"error": traceback.format_exc()})
    finally:
        connection.close()


def publish_work(meeting_id: int, user_id: int, *, prepare=False, prepared=None) -> dict:
    from django.db import transaction

    from bench.scenarios import publish
    from vcassure.accounts.models import User
    from vcassure.meetings.models import Meeting

    if prepare:
        return {"user": User.objects.get(pk=user_id), "meeting": Meeting.objects.get(pk=meeting_id)}
    with transaction.atomic():
        tasks = publish(prepared["user"], prepared["meeting"])
    return {"meeting": meeting_id, "tasks": tasks}


def baseline_work(n: int, *, prepare=False, prepared=None) -> dict:
    """The bare baseline of a publish, as in scenario_publish: n rows bulk-inserted in one
    transaction (rolled back)."""
    from bench.scenarios import rollback
    from vcassure.core.models import AuditEvent

    if prepare:
        return {}
    with rollback():
        AuditEvent.objects.bulk_create(
            [AuditEvent(action="bench", object_type="x", object_id=str(i)) for i in range(n)],
            batch_size=500,
        )
    return {"rows": n}


def concurrently(work, args_list: list[tuple], enter=None) -> list[dict]:
    """Run work once per args in forked processes released together; their reports."""
    from django.db import connections

    ctx = multiprocessing.get_context("fork")
    connections.close_all()  # each child opens its own connection
    barrier, queue = ctx.Barrier(len(args_list)), ctx.Queue()
    procs = [ctx.Process(target=_child, args=(work, a, barrier, queue, enter)) for a in args_list]
    for p in procs:
        p.start()
    results = [queue.get(timeout=900) for _ in procs]
    for p in procs:
        p.join()
    errors = [r["error"] for r in results if "error" in r]
    if errors:
        raise RuntimeError(errors[0])
    return results


def meeting_drafts(n: int) -> tuple[list, list]:
    """A draft government meeting of each of the first n provinces, all at the same hour."""
    from bench.scale_data import province_dispatcher, province_meeting_venues
    from vcassure.core import clock
    from vcassure.meetings import services

    start = (clock.localnow() + timedelta(days=3)).replace(
        hour=9, minute=0, second=0, microsecond=0
    )
    users, meetings = [], []
    for code in province_codes(n):
        user = province_dispatcher(code)
        main, branches = province_meeting_venues(code)
        meetings.append(
            services.meeting_create(
                by=user,
                system=GOVERNMENT,
                title="全省视频会商(十省规模基准)",
                starts_at=start,
                ends_at=start + timedelta(hours=2),
                importance="important",
                notice_ref="基准〔2026〕10号",
                main_venue=main,
                venues=branches,
            )
        )
        users.append(user)
    return users, meetings
