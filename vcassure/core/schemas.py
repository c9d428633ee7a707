"""Types shared by the apps' API schemas."""

from datetime import UTC, datetime
from typing import Annotated, Any

from django.utils import timezone
from ninja import Field, Schema
from pydantic import AfterValidator, AwareDatetime, PlainSerializer

# Object ids are 64-bit (BigAutoField). A larger number in a filter or a body is refused as invalid
# input (422) instead of overflowing in the database driver (a 500 on SQLite).
MAX_ID = 2**63 - 1
ObjectId = Annotated[int, Field(ge=1, le=MAX_ID)]


def _to_utc(value: datetime) -> datetime:
    try:
        return value.astimezone(UTC)
    except OverflowError as exc:
        raise ValueError("datetime out of range") from exc


# An ISO 8601 time with its offset, stored as the same instant in UTC: PostgreSQL refuses offsets
# past ±15:59, and a time at the calendar's edge may not exist in UTC (a 422, not a 500).
UtcDatetime = Annotated[AwareDatetime, AfterValidator(_to_utc)]


class ErrorOut(Schema):
    """Every error answer of the API (SPEC §6): what went wrong, and the details of each problem
    (a field and a message, or the location and type of a validation error)."""

    detail: str
    errors: list[dict[str, Any]]


def _local_iso(value: datetime | None) -> str | None:
    return timezone.localtime(value).isoformat() if value else None


# Out: ISO 8601 in the server's time zone, with its offset ("2026-06-01T09:00:00+08:00").
LocalDatetime = Annotated[datetime | None, PlainSerializer(_local_iso, return_type=str | None)]
