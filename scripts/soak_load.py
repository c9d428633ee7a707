"""The soak scenario's load (scripts/soak-scenario.py): the traffic it sends over HTTP (publishing,
acknowledging the links that reach the fake gateway, field check-ins), what each request got, and the
seconds the database was down, kept for the checks at the end."""

import re
import threading
import time
from dataclasses import dataclass, field

import httpx

from tests.fakes import FakeSmsGateway

GRACE_SECONDS = 5
VENUES_PER_MEETING = 20
PUBLISH_EVERY = 6.0
ACK_AFTER = 2.0


@dataclass
class Outages:
    """The windows in which PostgreSQL was down (a 5xx there is expected)."""

    windows: list[tuple[float, float]] = field(default_factory=list)

    def covers(self, sent: float, answered: float) -> bool:
        """Whether a request was in flight while the database was down (or just after)."""
        return any(sent <= end + GRACE_SECONDS and answered >= start for start, end in self.windows)


@dataclass
class Traffic:
    """Every request's outcome: (sent, answered, method, path, status); status 0 when no answer
    came."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    log: list[tuple[float, float, str, str, int]] = field(default_factory=list)

    def record(self, method: str, path: str, status: int, at: float) -> None:
        with self.lock:
            self.log.append((at, time.monotonic(), method, path, status))


class Client:
    def __init__(self, base: str, token: str, traffic: Traffic):
        self.http = httpx.Client(
            base_url=base, headers={"Authorization": f"Bearer {token}"}, timeout=15
        )
        self.traffic = traffic

    def post(self, path: str, json: dict | None = None, **kwargs) -> httpx.Response | None:
        return self.request("POST", path, json=json, **kwargs)

    def get(self, path: str) -> httpx.Response | None:
        return self.request("GET", path)

    def request(self, method: str, path: str, **kwargs) -> httpx.Response | None:
        at = time.monotonic()
        shown = re.sub(r"/ack/[^/]+", "/ack/…", path)
        try:
            response = self.http.request(method, path, **kwargs)
        except httpx.HTTPError:
            self.traffic.record(method, shown, 0, at)
            return None
        self.traffic.record(method, shown, response.status_code, at)
        return response


class Load:
    """The three kinds of users, each a thread, until stop is set."""

    def __init__(self, base: str, token: str, gateway: FakeSmsGateway, venues: list[int]):
        self.traffic = Traffic()
        self.base, self.token, self.gateway, self.venues = base, token, gateway, venues
        self.stop = threading.Event()
        self.published: list[int] = []  # meeting ids
        self.acked: dict[str, int] = {}  # token → final status
        self.checked_in: dict[int, int] = {}  # task id → final status
        self.errors: list[str] = []

    def run(self) -> list[threading.Thread]:
        threads = [
            threading.Thread(target=self._guard(fn), name=fn.__name__, daemon=True)
            for fn in (self.publisher, self.acker, self.field_worker)
        ]
        for t in threads:
            t.start()
        return threads

    def _guard(self, fn):
        def run():
            try:
                fn()
            except Exception as exc:  # a bug in the load itself fails the scenario
                self.errors.append(f"{fn.__name__}: {exc!r}")
                raise

        return run

    def publisher(self) -> None:
        from datetime import timedelta

        from vcassure.core import clock

        client = Client(self.base, self.token, self.traffic)
        n = 0
        while not self.stop.is_set():
            chunk = [
                self.venues[(n * VENUES_PER_MEETING + i) % len(self.venues)]
                for i in range(VENUES_PER_MEETING)
            ]
            # Three hours ahead: check-in opens CHECK_IN_OPENS_HOURS_BEFORE_DEADLINE (3) hours before
            # the on-site deadline, so the field workers can check in and pass steps now.
            start = (clock.localnow() + timedelta(hours=3)).replace(second=0, microsecond=0)
            body = {
                "system": "general",
                "title": f"浸泡测试会议{n}",
                "starts_at": start.isoformat(),
                "ends_at": (start + timedelta(hours=2)).isoformat(),
                "importance": "important",
                "notice_ref": f"浸泡〔2026〕{n}号",
                "venues": chunk,
            }
            key = f"soak-meeting-{n}-{time.time_ns()}"
            meeting_id = None
            while meeting_id is None and not self.stop.is_set():
                r = client.post("/api/meetings", body, headers={"Idempotency-Key": key})
                if r is not None and r.status_code == 201:
                    meeting_id = r.json()["id"]
                elif r is not None and r.status_code < 500:
                    raise RuntimeError(f"create meeting: {r.status_code} {r.text[:300]}")
                else:
                    time.sleep(1)
            while meeting_id is not None and not self.stop.is_set():
                r = client.post(f"/api/meetings/{meeting_id}/publish", {"confirm_shortfalls": True})
                if r is not None and r.status_code == 200:
                    self.published.append(meeting_id)
                    break
                if r is not None and r.status_code == 409:
                    if self._is_published(client, meeting_id):
                        self.published.append(meeting_id)  # a try committed; its answer was lost
                        break
                    raise RuntimeError(f"publish: {r.status_code} {r.text[:300]}")
                if r is not None and r.status_code < 500:
                    raise RuntimeError(f"publish: {r.status_code} {r.text[:300]}")
                time.sleep(1)
            n += 1
            self.stop.wait(PUBLISH_EVERY)

    def _is_published(self, client: "Client", meeting_id: int) -> bool:
        for _ in range(30):
            r = client.get(f"/api/meetings/{meeting_id}")
            if r is not None and r.status_code == 200:
                return r.json().get("state") != "draft"
            time.sleep(1)
        return False

    def acker(self) -> None:
        """Follows each personal link the gateway received (a person tapping it a moment later);
        retries one that got no answer or a 5xx, as a person would."""
        client = Client(self.base, self.token, self.traffic)
        seen = 0
        pending: list[tuple[float, str]] = []
        while not self.stop.is_set() or pending:
            messages = self.gateway.messages[seen:]
            seen += len(messages)
            for m in messages:
                match = re.search(r"/ack/([A-Za-z0-9:_\-]+)", m.get("content", ""))
                if (
                    match
                    and match.group(1) not in self.acked
                    and self._meeting_notice(match.group(1))
                ):
                    pending.append((time.monotonic() + ACK_AFTER, match.group(1)))
                    self.acked[match.group(1)] = -1
            due = [p for p in pending if p[0] <= time.monotonic()]
            for p in due:
                pending.remove(p)
                r = client.post(f"/api/ack/{p[1]}")
                if r is None or r.status_code >= 500:
                    pending.append((time.monotonic() + 1, p[1]))
                else:
                    self.acked[p[1]] = r.status_code
            if self.stop.is_set() and time.monotonic() > self.stopped_at + 60:
                break  # a link still failing a minute after the load: counted as not applied
            time.sleep(0.2)

    drill_notices: set[int] = set()
    stopped_at = float("inf")

    def _meeting_notice(self, token: str) -> bool:
        """Only the meetings' notices: the escalation drill's notices, and the escalation notices
        they raise, must stay unanswered."""
        from django.core import signing
        from django.db import close_old_connections, connection

        from vcassure.notifications.models import Notification
        from vcassure.notifications.tokens import read_token

        try:
            claim = read_token(token)
        except signing.BadSignature:
            print(f"[soak] not a link this platform signed: {token[:80]!r}", flush=True)
            return False
        if claim.notification_id in self.drill_notices or claim.staff_id in self.drill_staff:
            return False
        for _ in range(60):
            try:
                close_old_connections()
                row = Notification.objects.filter(pk=claim.notification_id).values_list(
                    "escalates_id", "topic"
                )[0]
                return row[0] is None and not row[1].startswith("drill:")
            except Exception:  # the database is restarting
                connection.close()
                time.sleep(0.5)
        raise RuntimeError("the database did not come back within 30 s")

    drill_staff: set[int] = set()

    def field_worker(self) -> None:
        """Checks in at venue tasks of the published meetings, one every half second."""
        from django.db import close_old_connections

        from vcassure.meetings.models import SupportTask

        client = Client(self.base, self.token, self.traffic)
        done: set[int] = set()
        while not self.stop.is_set():
            try:
                close_old_connections()
                todo = list(
                    SupportTask.objects.filter(meeting_id__in=list(self.published), kind="venue")
                    .exclude(pk__in=done)
                    .order_by("id")
                    .values_list("pk", flat=True)[:5]
                )
            except Exception:  # the database is restarting: try again in a moment
                from django.db import connection

                connection.close()
                time.sleep(1)
                continue
            for pk in todo:
                r = client.post(f"/api/tasks/{pk}/check-in", {"lat": 30.1, "lng": 120.2})
                if r is not None and r.status_code < 500:
                    if r.status_code != 200:
                        raise RuntimeError(f"check-in: {r.status_code} {r.text[:300]}")
                    done.add(pk)
                    self.checked_in[pk] = 200
                self.stop.wait(0.5)
            if not todo:
                self.stop.wait(1)
