"""The home page's "what needs action now": a short list of attention sources, one function per
kind of thing that can need a person (a meeting about to start, people not answering, a fault's
clock, a phone call to make, a robot that stopped working, one's own next task).

Each source is an `AttentionSource`: who it is for (`applies`), what it says when nothing is wrong
(`fine`), and `collect(user, now)` returning `AttentionItem`s, each with an urgency, a label and a
link to the page where the item is handled. Every read starts from `.visible_to(user)` (or the
user's own staff record), so a county dispatcher sees only the county. Adding a kind (overdue
inspections, uncovered shifts, …) is one function and one line in `SOURCES`.

Sources read models and selectors only; they never write. Each runs a constant number of queries
and returns at most `LIMIT` items (plus one "and N more" item linking to the full list)."""

from vcassure.home.attention.base import AttentionItem, AttentionSource
from vcassure.home.attention.sources import SOURCES, Attention, attention_for

__all__ = ["SOURCES", "Attention", "AttentionItem", "AttentionSource", "attention_for"]
