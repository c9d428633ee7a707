"""The platform's vital signs, read from the database (and the queue) when Prometheus scrapes: the
database is the source of truth for every delivery, deadline and task, so the numbers are the same
whichever web process answers. A constant number of queries whatever the size of the tables."""

import math
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db.models import Count, Min, Q
from huey.contrib.djhuey import HUEY
from prometheus_client.core import GaugeMetricFamily, Metric

from vcassure.core import clock
from vcassure.core.models import WorkerHeartbeat
from vcassure.meetings.models import Meeting, SupportTask, overdue_q
from vcassure.notifications.models import Delivery, Notification, PhoneCallTask

ACK_LATENCY_WINDOW = timedelta(hours=24)
ACK_LATENCY_QUANTILES = (0.5, 0.95, 0.99)


@dataclass
class OpsMetrics:
    deliveries: dict[tuple[str, str], int] = field(default_factory=dict)  # (status, channel) → rows
    deliveries_due: int = 0
    oldest_due_seconds: float = 0.0
    leases_expired: int = 0
    unanswered: int = 0
    overdue: int = 0
    escalations_due: int = 0
    ack_latencies: list[float] = field(default_factory=list)  # seconds, acknowledged in the window
    venue_tasks_overdue: int = 0
    phone_calls_pending: int = 0
    queue_pending: int | None = None  # None: the queue did not answer
    heartbeat_age_seconds: float | None = None  # None: no worker has beaten yet


def _seconds(delta: timedelta) -> float:
    return max(0.0, delta.total_seconds())


def ops_metrics(*, at: datetime | None = None) -> OpsMetrics:
    now: datetime = at or clock.now()
    m = OpsMetrics()
    rows = Delivery.objects.order_by().values_list("status", "channel").annotate(n=Count("id"))
    m.deliveries = {(status, channel): n for status, channel, n in rows}
    due = Delivery.objects.filter(
        status=Delivery.Status.QUEUED, next_attempt_at__lte=now
    ).aggregate(n=Count("id"), oldest=Min("next_attempt_at"))
    oldest: datetime | None = due["oldest"]
    m.deliveries_due, m.oldest_due_seconds = due["n"], _seconds(now - oldest) if oldest else 0.0
    m.leases_expired = Delivery.objects.filter(
        status=Delivery.Status.SENDING, lease_until__lt=now
    ).count()
    notices = (
        Notification.objects.unanswered()
        .filter(ack_due_at__isnull=False)
        .aggregate(
            unanswered=Count("id"),
            overdue=Count("id", filter=Q(ack_due_at__lt=now)),
            escalations_due=Count("id", filter=Q(next_escalation_at__lte=now)),
        )
    )
    m.unanswered, m.overdue, m.escalations_due = (
        notices["unanswered"],
        notices["overdue"],
        notices["escalations_due"],
    )
    m.ack_latencies = [
        _seconds(acked - created)
        for created, acked in Notification.objects.filter(acknowledged_at__isnull=False)
        .filter(requires_ack=True, acknowledged_at__gte=now - ACK_LATENCY_WINDOW)
        .values_list("created_at", "acknowledged_at")
        if acked is not None
    ]
    m.venue_tasks_overdue = (
        SupportTask.objects.filter(
            kind=SupportTask.Kind.VENUE,
            meeting__state__in=[Meeting.State.PUBLISHED, Meeting.State.IN_PROGRESS],
        )
        .filter(overdue_q(now))
        .count()
    )
    m.phone_calls_pending = PhoneCallTask.objects.filter(
        outcome=PhoneCallTask.Outcome.PENDING
    ).count()
    try:
        m.queue_pending = HUEY.pending_count()
    except Exception:  # noqa: BLE001 - a queue that does not answer is a metric, not an error page
        m.queue_pending = None
    beat = WorkerHeartbeat.objects.filter(name="default").values_list("beat_at", flat=True).first()
    m.heartbeat_age_seconds = _seconds(now - beat) if beat else None
    return m


def quantile(ordered: list[float], q: float) -> float:
    """Nearest-rank quantile of sorted values (NaN when there are none)."""
    if not ordered:
        return math.nan
    return ordered[min(len(ordered) - 1, max(0, math.ceil(q * len(ordered)) - 1))]


def _gauge(name: str, doc: str, value: float) -> GaugeMetricFamily:
    return GaugeMetricFamily(name, doc, value=value)


class MetricsCollector:
    """A prometheus_client collector over one OpsMetrics snapshot."""

    def __init__(self, snapshot: OpsMetrics):
        self.m = snapshot

    def collect(self) -> Iterator[Metric]:
        m = self.m
        deliveries = GaugeMetricFamily(
            "vcassure_deliveries",
            "Delivery rows by status and channel.",
            labels=["status", "channel"],
        )
        for (status, channel), n in sorted(m.deliveries.items()):
            deliveries.add_metric([status, channel], n)
        yield deliveries
        yield _gauge(
            "vcassure_deliveries_due",
            "Queued deliveries whose attempt is due now (the send backlog).",
            m.deliveries_due,
        )
        yield _gauge(
            "vcassure_deliveries_oldest_due_seconds",
            "How long the oldest due delivery has waited.",
            m.oldest_due_seconds,
        )
        yield _gauge(
            "vcassure_deliveries_lease_expired",
            "Deliveries claimed by a worker that did not finish "
            "them in time (it died); the sweeper sends them again.",
            m.leases_expired,
        )
        yield _gauge(
            "vcassure_notifications_unanswered",
            "Notices that need an acknowledgement and have none.",
            m.unanswered,
        )
        yield _gauge(
            "vcassure_notifications_overdue",
            "Unanswered notices past their reply deadline.",
            m.overdue,
        )
        yield _gauge(
            "vcassure_escalations_due",
            "Unanswered notices whose next escalation rung is due "
            "(the sweeper has not climbed it yet).",
            m.escalations_due,
        )
        ordered = sorted(m.ack_latencies)
        latency = Metric(
            "vcassure_ack_latency_seconds",
            "Acknowledgement latency (acknowledged_at - created_at) of the notices acknowledged "
            "in the last 24 hours.",
            "summary",
        )
        for q in ACK_LATENCY_QUANTILES:
            latency.add_sample(
                "vcassure_ack_latency_seconds", {"quantile": str(q)}, quantile(ordered, q)
            )
        latency.add_sample("vcassure_ack_latency_seconds_count", {}, len(ordered))
        latency.add_sample("vcassure_ack_latency_seconds_sum", {}, sum(ordered))
        yield latency
        yield _gauge(
            "vcassure_venue_tasks_overdue",
            "Venue tasks of published or running meetings past their on-site or ready deadline.",
            m.venue_tasks_overdue,
        )
        yield _gauge(
            "vcassure_phone_calls_pending",
            "Phone-call tasks waiting for the dispatch desk.",
            m.phone_calls_pending,
        )
        yield _gauge(
            "vcassure_queue_up",
            "1 when the task queue answered.",
            0 if m.queue_pending is None else 1,
        )
        if m.queue_pending is not None:
            yield _gauge(
                "vcassure_queue_pending", "Messages waiting in the task queue.", m.queue_pending
            )
        yield _gauge(
            "vcassure_worker_heartbeat_age_seconds",
            "Seconds since a task worker last beat (NaN: never).",
            math.nan if m.heartbeat_age_seconds is None else m.heartbeat_age_seconds,
        )
