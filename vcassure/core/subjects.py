"""References between apps: a lower app (notifications, faults, checklists) keeps what a row is
about as a short string such as "task:12" or "meeting:3", so that it knows nothing of the apps
above it. This module is the only place that builds or reads that format."""

from typing import Literal

Kind = Literal["task", "meeting", "fault", "inspection", "shift", "test"]


def subject_ref(kind: Kind, pk: int) -> str:
    """The reference of one object: subject_ref("task", 12) == "task:12"."""
    return f"{kind}:{int(pk)}"


def task_ref(pk: int) -> str:
    return subject_ref("task", pk)


def meeting_ref(pk: int) -> str:
    return subject_ref("meeting", pk)


def subject_id(ref: str | None, kind: Kind) -> int | None:
    """The id in a reference of that kind; None for another kind, an empty or a malformed one."""
    if not ref:
        return None
    prefix, sep, rest = ref.partition(":")
    if not sep or prefix != kind or not rest.isascii() or not rest.isdigit():
        return None
    return int(rest)


def task_id_of(ref: str | None) -> int | None:
    return subject_id(ref, "task")
