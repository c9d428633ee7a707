"""Subject passes: no login wall between a personal message and the work it asks for.

A pass lets one person (a Staff id) work on ONE subject (`task:12`, later `fault:7`, an inspection
or a shift) without a password, until a given time. It is granted by a view that has just checked
a credential the person holds — today the signed, person-bound acknowledgement link — and is kept
in the session, itself signed (so a tampered session store cannot forge one). Pages that accept a
pass wrap their view in `login_or_pass(subject_of)`: a signed-in user goes on as usual; an anonymous
visitor with a live pass for exactly that subject goes on with `subject_pass(request)` set; anyone
else is sent to the login page. Everything that does not use the decorator still needs a login.

Services that accept a pass check it themselves (`SubjectPass.allows`) and record what was done as
done by the person through their link."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from functools import wraps
from typing import Any

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core import signing
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from vcassure.core import clock

SESSION_KEY = "_subject_passes"
SALT = "vcassure.subject-pass"
_ATTR = "_subject_pass"


@dataclass(frozen=True)
class SubjectPass:
    """Who may act (staff_id) on what (subject) until when, and by which credential (via)."""

    subject: str
    staff_id: int
    until: datetime
    via: str = "link"

    def allows(self, subject: str, *, staff_id: int | None = None) -> bool:
        """True while the pass is live, for this subject and (when given) this person."""
        return (
            self.subject == subject
            and (staff_id is None or staff_id == self.staff_id)
            and clock.now() < self.until
        )

    def audit(self) -> dict[str, Any]:
        """What an audit row says about the pass that allowed the action."""
        return {"via": self.via, "staff_id": self.staff_id, "subject": self.subject}


def _read(value: str) -> SubjectPass | None:
    try:
        data = signing.loads(value, salt=SALT)
        found = SubjectPass(
            subject=str(data["s"]),
            staff_id=int(data["p"]),
            until=datetime.fromtimestamp(float(data["u"]), tz=timezone.get_current_timezone()),
            via=str(data.get("v", "link")),
        )
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return None
    return found if clock.now() < found.until else None


def pass_grant(request: HttpRequest, granted: SubjectPass) -> None:
    """Keep `granted` in the session (replacing an older pass for the same subject). An anonymous
    session lives until the last of its passes ends rather than for the idle timeout."""
    if clock.now() >= granted.until:
        return
    stored = {
        subject: value
        for subject, value in dict(request.session.get(SESSION_KEY) or {}).items()
        if isinstance(value, str) and _read(value) is not None
    }
    stored[granted.subject] = signing.dumps(
        {
            "s": granted.subject,
            "p": granted.staff_id,
            "u": granted.until.timestamp(),
            "v": granted.via,
        },
        salt=SALT,
    )
    request.session[SESSION_KEY] = stored
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        last = max(p.until for v in stored.values() if (p := _read(v)) is not None)
        seconds = int((last - clock.now()).total_seconds())
        request.session.set_expiry(max(seconds, settings.SESSION_COOKIE_AGE))


def pass_for(request: HttpRequest, subject: str) -> SubjectPass | None:
    """The live pass this session holds for `subject`, if any."""
    session = getattr(request, "session", None)
    value = (session.get(SESSION_KEY) or {}).get(subject) if session is not None else None
    return _read(value) if isinstance(value, str) else None


def holds_passes(request: HttpRequest) -> bool:
    """Whether this session holds any pass at all (live or not): worth looking further."""
    session = getattr(request, "session", None)
    return bool(session is not None and session.get(SESSION_KEY))


def subject_pass(request: HttpRequest) -> SubjectPass | None:
    """The pass `login_or_pass` let this request in with (None for a signed-in user)."""
    found = getattr(request, _ATTR, None)
    return found if isinstance(found, SubjectPass) else None


def login_or_pass(
    subject_of: Callable[..., str],
) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """Decorate a view: a signed-in user passes as with login_required; an anonymous visitor passes
    only with a live pass for `subject_of(**view_kwargs)`; others go to the login page."""

    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            setattr(request, _ATTR, None)
            if not request.user.is_authenticated:
                found = pass_for(request, subject_of(**kwargs))
                if found is None:
                    return redirect_to_login(request.get_full_path())
                setattr(request, _ATTR, found)
            return view(request, *args, **kwargs)

        return wrapped

    return decorate
