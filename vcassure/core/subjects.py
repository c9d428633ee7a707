"""References between apps: a lower app (notifications, faults, checklists) keeps what a row is
about as a short string such as "task:12" or "meeting:3", so that it knows nothing of the apps
above it. This module is the only place that builds or reads that format."""

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Literal

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

Kind = Literal["task", "meeting", "fault", "inspection", "shift", "test"]


def subject_ref(kind: Kind, pk: int) -> str:
    """The reference of one object: subject_ref("task", 12) == "task:12"."""
    return f"{kind}:{int(pk)}"


def task_ref(pk: int) -> str:
    return subject_ref("task", pk)


def meeting_ref(pk: int) -> str:
    return subject_ref("meeting", pk)


def fault_ref(pk: int) -> str:
    return subject_ref("fault", pk)


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


def fault_id_of(ref: str | None) -> int | None:
    return subject_id(ref, "fault")


# --- What a reference is called on a page ----------------------------------------------------------
# A lower app shows "task:12" as what it is ("乐桥乡水利站分会场 · 王伟") without importing the app that
# owns tasks: that app registers a labeller here at start-up (apps.ready).


@dataclass(frozen=True)
class SubjectLabel:
    text: str
    url: str = ""


Labeller = Callable[[set[int]], dict[int, SubjectLabel]]
_labellers: dict[str, Labeller] = {}
KIND_NAMES = {
    "task": gettext_lazy("任务"),
    "meeting": gettext_lazy("会议"),
    "fault": gettext_lazy("故障"),
}


def register_labeller(kind: Kind, labeller: Labeller) -> None:
    """`labeller(ids)` returns the label of each id it knows, in one query whatever their number."""
    _labellers[kind] = labeller


def describe(refs: Iterable[str]) -> dict[str, SubjectLabel]:
    """The label of every reference: one labeller call per kind; a reference nobody labels (or
    whose object is gone) is called by its kind and number, never shown raw."""
    by_kind: dict[str, set[int]] = defaultdict(set)
    for ref in refs:
        kind, _sep, rest = (ref or "").partition(":")
        if rest.isascii() and rest.isdigit():
            by_kind[kind].add(int(rest))
    labels: dict[str, SubjectLabel] = {}
    for kind, ids in by_kind.items():
        found = _labellers[kind](ids) if kind in _labellers else {}
        for pk in ids:
            labels[f"{kind}:{pk}"] = found.get(pk) or SubjectLabel(
                _("%(kind)s #%(id)s") % {"kind": KIND_NAMES.get(kind, kind), "id": pk}
            )
    return labels
