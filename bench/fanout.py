"""The fan-out of a province-wide meeting (issue 6): every branch venue of one customer system of
the demo province, published, then every due delivery sent by the real outbox (outbox_drain, the
code the Huey worker runs, in this process) through the real channel adapters to the local fake
DingTalk, WeCom, SMS gateway, OA and SMTP servers of tests/fakes, served by a process of their
own (FakesProcess: the providers are other machines; until 2026-12-02 they ran in the sender's
process, which then also paid their request handling, under its own interpreter lock).

Each run starts fresh fakes, points the channel settings and every IM group's robot at them (one
fake robot per group, so the fakes' 20-a-minute limit is per group as on the real platforms),
publishes the meeting (committed, as a worker would find it), times the drain, checks that the
fakes accepted exactly one message per sent delivery, then deletes what the run wrote. Baseline,
in the same run: as many bare HTTP POSTs of the same mean size, sent one after the other with one
httpx client to the same fake SMS gateway (the cost of the network sends alone)."""

import contextlib
import statistics
import time
from collections import Counter
from collections.abc import Iterator
from typing import Any

import httpx

from bench.fakes import GROUP_FIELDS, FakesProcess, wire

SYSTEM = "government"  # the demo system with the most branch venues
# Settings this bench changes besides the channels demo mode points at the fakes; all are put back.
EXTRA_SETTINGS = ("ALIYUN_ACCESS_KEY_ID", "OUTBOUND_URL_ALLOWLIST")


@contextlib.contextmanager
def channels_pointed_at_fakes() -> Iterator[None]:
    """Restore the channel settings, the groups' robots and the queue on the way out."""
    from unittest import mock

    from django.conf import settings
    from django.core.mail.utils import DNS_NAME

    from vcassure.home.demo import CHANNEL_SETTINGS
    from vcassure.notifications import wakeups
    from vcassure.notifications.channels.base import reset_channels
    from vcassure.notifications.models import ImGroup

    saved = (*CHANNEL_SETTINGS, *EXTRA_SETTINGS)
    saved_settings = {name: getattr(settings, name) for name in saved}
    saved_groups = list(ImGroup.objects.all())
    saved_fqdn = getattr(DNS_NAME, "_fqdn", None)
    DNS_NAME._fqdn = "localhost"  # spares the SMTP client a DNS look-up of this machine's name
    # This process is the worker: the queue pokes that publishing and retries make on commit would
    # only pile up tasks in a queue nobody consumes.
    stub = mock.Mock(name="process_outbox_task")
    try:
        with mock.patch.dict(wakeups._tasks, {wakeups.OUTBOX: stub}):
            yield
    finally:
        for name, value in saved_settings.items():
            setattr(settings, name, value)
        reset_channels()
        ImGroup.objects.bulk_update(saved_groups, GROUP_FIELDS)
        if saved_fqdn is None:
            with contextlib.suppress(AttributeError):
                del DNS_NAME._fqdn
        else:
            DNS_NAME._fqdn = saved_fqdn


def province_meeting(user) -> tuple[Any, int]:
    """A draft meeting of every branch venue of SYSTEM, with its main venue, three days ahead."""
    from datetime import timedelta

    from vcassure.core import clock
    from vcassure.meetings import services
    from vcassure.venues.models import Venue

    venues = Venue.objects.filter(system__code=SYSTEM)
    branches = list(
        venues.filter(role=Venue.Role.BRANCH).order_by("id").values_list("id", flat=True)
    )
    main = venues.filter(role=Venue.Role.MAIN).values_list("id", flat=True).first()
    start = (clock.localnow() + timedelta(days=3)).replace(
        hour=9, minute=0, second=0, microsecond=0
    )
    meeting = services.meeting_create(
        by=user,
        system=SYSTEM,
        title="全省视频会商(群发基准测试)",
        starts_at=start,
        ends_at=start + timedelta(hours=2),
        importance="important",
        notice_ref="基准〔2026〕2号",
        main_venue=main,
        venues=branches,
    )
    return meeting, len(branches)


def cleanup(meeting_id: int, audit_after: int) -> None:
    """Delete what one run wrote: the meeting (its tasks, transitions, events), its notices, every
    delivery of its topic (group digests have no notice) and the audit rows."""
    from django.db import transaction

    from vcassure.core.models import AuditEvent
    from vcassure.meetings.models import Meeting
    from vcassure.notifications.models import Delivery, Notification

    topic = f"meeting:{meeting_id}"
    with transaction.atomic():
        Delivery.objects.filter(topic=topic).delete()
        Notification.objects.filter(topic=topic).delete()
        Meeting.objects.filter(pk=meeting_id).delete()
        AuditEvent.objects.filter(pk__gt=audit_after).delete()


def baseline_posts(url: str, n: int, body_bytes: int) -> float:
    """n bare POSTs of about body_bytes each, one after the other with one pooled client."""
    pad = max(1, min(1000, body_bytes - 60))  # the rest of the JSON is about 60 bytes
    with httpx.Client(trust_env=False, timeout=10) as client:
        started = time.perf_counter()
        for i in range(n):
            response = client.post(
                url, json={"mobile": "13800000000", "content": "x" * pad, "ref": f"bare-{i}"}
            )
            assert response.status_code == 200, response.text
        return time.perf_counter() - started


def one_run(user) -> dict:
    from django.db import transaction
    from django.db.models import Count, Max

    from bench.scenarios import publish
    from vcassure.core.models import AuditEvent
    from vcassure.meetings.models import SupportTask
    from vcassure.notifications.models import Delivery, DeliveryAttempt, Notification
    from vcassure.notifications.outbox import outbox_drain

    fakes = FakesProcess()
    try:
        groups = wire(fakes)
        audit_after = AuditEvent.objects.aggregate(m=Max("id"))["m"] or 0
        with transaction.atomic():
            meeting, venues = province_meeting(user)
            meeting_id = meeting.pk
            tasks = publish(user, meeting)
        try:
            topic = f"meeting:{meeting_id}"
            mine = Delivery.objects.filter(topic=topic)
            due = Delivery.objects.filter(
                status__in=[Delivery.Status.QUEUED, Delivery.Status.SENDING]
            )
            foreign = due.exclude(topic=topic).count()
            assert not foreign, (
                f"{foreign} due deliveries not of this run: the bench database is not clean"
            )
            queued = mine.count()
            started = time.perf_counter()
            attempted = 0
            while n := outbox_drain():
                attempted += n
            seconds = time.perf_counter() - started

            status = dict(
                mine.values_list("status").annotate(n=Count("id")).values_list("status", "n")
            )
            sent_by_channel = Counter(
                dict(
                    mine.filter(status=Delivery.Status.SENT)
                    .values_list("channel")
                    .annotate(n=Count("id"))
                    .values_list("channel", "n")
                )
            )
            accepted = fakes.accepted()
            still_queued = mine.filter(status=Delivery.Status.QUEUED)
            # Left queued by the outbox's own limiter (the group's budget for the minute was spent,
            # nothing was attempted), as against left queued after a failed attempt.
            deferred = still_queued.filter(group__isnull=False, attempts=0).count()
            sent = sum(sent_by_channel.values())
            assert +accepted == +sent_by_channel, (dict(accepted), dict(sent_by_channel))
            assert status.get(Delivery.Status.QUEUED, 0) == deferred, status
            assert not status.get(Delivery.Status.FAILED) and not status.get(
                Delivery.Status.SENDING
            ), status
            assert DeliveryAttempt.objects.filter(delivery__topic=topic).count() == sent, (
                "retries happened"
            )
            assert not fakes.errors(), fakes.errors()[:1]
            bodies = fakes.message_sizes()
            mean_body = round(statistics.mean(bodies)) if bodies else 300
            baseline = baseline_posts(fakes.baseline_url, sent, mean_body)
            run = {
                "seconds": seconds,
                "baseline_seconds": baseline,
                "venues": venues,
                "tasks": tasks,
                "groups": groups,
                "notices": Notification.objects.filter(topic=topic).count(),
                "deliveries": queued,
                "sent": sent,
                "group_digests": mine.filter(group__isnull=False).count(),
                "attempted": attempted,
                "deferred_by_rate_limit": deferred,
                "by_channel": dict(sorted(sent_by_channel.items())),
                "mean_request_bytes": mean_body,
                "tasks_notified": SupportTask.objects.filter(
                    meeting_id=meeting_id, state="notified"
                ).count(),
            }
        finally:
            cleanup(meeting_id, audit_after)
    finally:
        fakes.stop()
    return run


def scenario_fanout(repeat: int) -> dict:
    """Median over `repeat` runs of the drain time, and of the baseline measured in each run."""
    from bench.scenarios import bench_user

    user = bench_user()
    runs = []
    with channels_pointed_at_fakes():
        for _ in range(repeat):
            runs.append(one_run(user))
    median = statistics.median(r["seconds"] for r in runs)
    base = statistics.median(r["baseline_seconds"] for r in runs)
    last = runs[-1]
    result = {
        "scenario": "fanout",
        "median_s": round(median, 3),
        "baseline_median_s": round(base, 3),
        "ratio": round(median / base, 1) if base else None,
        "samples_s": [round(r["seconds"], 3) for r in runs],
        "baseline_samples_s": [round(r["baseline_seconds"], 3) for r in runs],
        "deliveries_per_s": round(last["sent"] / median, 1),
        "baseline_posts_per_s": round(last["sent"] / base, 1),
        **{k: v for k, v in last.items() if k not in ("seconds", "baseline_seconds")},
        "target": "≤ 5 s and ≤ 4× the bare POSTs",
        "meets_target": median <= 5 and bool(base) and median / base <= 4,
    }
    print(
        f"fanout: {result['venues']} venues, {result['notices']} notices, {result['sent']} messages sent "
        f"({', '.join(f'{k} {v}' for k, v in result['by_channel'].items())}), "
        f"{result['deferred_by_rate_limit']} deferred by the group rate limit; "
        f"{result['deliveries_per_s']} deliveries/s against {result['baseline_posts_per_s']} bare POSTs/s"
    )
    return result
