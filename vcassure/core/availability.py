"""Who is busy on a day, as the apps that give people work see it. An app registers a provider
(meetings: the people with a venue task at a meeting that day); routine work asks here before it
hands a venue's inspection to its primary person, so neither app imports the other."""

from collections.abc import Callable, Collection
from datetime import date

BusyProvider = Callable[[date, Collection[int]], set[int]]
_providers: dict[str, BusyProvider] = {}


def register_busy_provider(name: str, provider: BusyProvider) -> None:
    """`provider(day, staff_ids)` returns those of the staff ids that are busy that day."""
    _providers[name] = provider


def staff_busy_on(day: date, staff_ids: Collection[int]) -> set[int]:
    busy: set[int] = set()
    if not staff_ids:
        return busy
    for provider in _providers.values():
        busy |= provider(day, staff_ids)
    return busy
