"""Bulk INSERT of many rows of one model, for the few hot paths that write thousands at once
(publishing a province-wide meeting). Django's bulk_create compiles every value through the
field's full preparation chain, and on PostgreSQL the driver then parses a statement with tens of
thousands of placeholders; measured on a 2,000-venue publish, both cost more than the database
did. This prepares only the values whose type needs it (dates, JSON, decimals…) and passes the
others (text, numbers, booleans, foreign keys) as they are; on PostgreSQL it draws the ids from
the sequence and COPYs the rows, elsewhere it writes a multi-row INSERT … RETURNING id. Same result as bulk_create: rows written in order, each
object gets its primary key. Signals are not sent (bulk_create sends none either)."""

import operator
from collections.abc import Callable, Sequence
from typing import Any

from django.db import connections, models, router

# Fields whose Python value is what the database driver takes: no preparation needed.
PLAIN = (
    models.CharField,
    models.TextField,
    models.IntegerField,
    models.BigIntegerField,
    models.SmallIntegerField,
    models.PositiveIntegerField,
    models.PositiveSmallIntegerField,
    models.PositiveBigIntegerField,
    models.BooleanField,
    models.FloatField,
)


def _plain(field: models.Field) -> bool:
    if isinstance(field, models.ForeignKey):
        return _plain(field.target_field) or isinstance(field.target_field, models.AutoField)
    return (
        isinstance(field, PLAIN) and type(field).get_db_prep_save is models.Field.get_db_prep_save
    )


def _memoized(field: models.Field, connection) -> Callable[[models.Model], Any]:
    prepared: dict[Any, Any] = {}
    attname = field.attname

    def get(obj: models.Model) -> Any:
        value = getattr(obj, attname)
        try:
            return prepared[value]
        except KeyError:
            prepared[value] = result = field.get_db_prep_save(value, connection)
            return result

    return get


def _getter(field: models.Field, connection) -> Callable[[models.Model], Any]:
    """How to take one field's database value from an object."""
    if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):

        def stamped(obj: models.Model) -> Any:
            return field.get_db_prep_save(field.pre_save(obj, True), connection)

        return stamped
    if _plain(field):
        return operator.attrgetter(field.attname)
    if isinstance(field, (models.DateTimeField, models.DateField, models.TimeField)):
        # A batch carries few distinct times (now, a deadline or two): prepare each once.
        return _memoized(field, connection)

    def prepared(obj: models.Model) -> Any:
        return field.get_db_prep_save(getattr(obj, field.attname), connection)

    return prepared


def bulk_insert(objs: Sequence[models.Model], *, batch_size: int = 1000) -> None:
    """INSERT the unsaved objects (all of one model with an automatic primary key) and set their
    primary keys. Falls back to bulk_create where the database cannot return the new ids."""
    if not objs:
        return
    model = type(objs[0])
    meta = model._meta
    alias = router.db_for_write(model)
    connection = connections[alias]
    if not connection.features.can_return_rows_from_bulk_insert:
        model._default_manager.bulk_create(objs, batch_size=batch_size)
        return
    pk = meta.pk
    fields = [f for f in meta.concrete_fields if f is not pk]
    getters = [_getter(field, connection) for field in fields]
    if connection.vendor == "postgresql":
        _copy(connection, alias, meta, fields, getters, objs)
        return
    quote = connection.ops.quote_name
    columns = ", ".join(quote(str(f.column)) for f in fields)
    row = "(" + ", ".join(["%s"] * len(fields)) + ")"
    size = max(1, min(batch_size, connection.ops.bulk_batch_size(fields, objs)))
    table, returning = quote(meta.db_table), quote(str(pk.column))
    with connection.cursor() as cursor:
        for start in range(0, len(objs), size):
            chunk = objs[start : start + size]
            params = [get(obj) for obj in chunk for get in getters]
            values = ", ".join([row] * len(chunk))
            # Table and column names come from the model, values are parameters.
            sql = f"INSERT INTO {table} ({columns}) VALUES {values} RETURNING {returning}"  # noqa: S608  # nosec B608
            cursor.execute(sql, params)
            for obj, (new_id,) in zip(chunk, cursor.fetchall(), strict=True):
                obj.pk = new_id
                obj._state.adding = False
                obj._state.db = alias


def _copy(connection, alias: str, meta, fields, getters, objs: Sequence[models.Model]) -> None:
    """PostgreSQL: the ids drawn from the table's sequence in one statement, then every row in one
    COPY (no SQL text to build or parse however many rows; the driver adapts the values in C)."""
    quote = connection.ops.quote_name
    table, pk_column = meta.db_table, str(meta.pk.column)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [quote(table), pk_column, len(objs)],
        )
        ids = [row[0] for row in cursor.fetchall()]
        columns = ", ".join(quote(str(c)) for c in [pk_column, *(f.column for f in fields)])
        with cursor.cursor.copy(f"COPY {quote(table)} ({columns}) FROM STDIN") as copy:
            for new_id, obj in zip(ids, objs, strict=True):
                copy.write_row([new_id, *(get(obj) for get in getters)])
    for new_id, obj in zip(ids, objs, strict=True):
        obj.pk = new_id
        obj._state.adding = False
        obj._state.db = alias
