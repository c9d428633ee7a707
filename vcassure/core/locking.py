"""Row locking shared by the workers' sweeps."""

from django.db import connection
from django.db.models import QuerySet


def skip_locked(qs: QuerySet) -> QuerySet:
    """Lock the rows read, skipping those another worker holds (PostgreSQL). SQLite has no row
    locks: its transactions already run one writer at a time, so the query is left as it is."""
    return (
        qs.select_for_update(skip_locked=True)
        if connection.features.has_select_for_update_skip_locked
        else qs
    )
