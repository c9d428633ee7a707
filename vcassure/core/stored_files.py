"""Uploaded files that outlive their rows. A photo is written to disk while its row is written in
a transaction; when that transaction rolls back (a refused step, a failed audit insert, the
caller's own transaction failing after the service returned), the row is gone and the file would
stay. Two guards:

- Within a request or a service call: `kept_only_if_committed()` (the middleware
  `UploadsKeptOnlyIfCommittedMiddleware` for every request, the decorator `uploads_guarded` on the
  services that store files). Every file stored inside it (`stored_file_track` right after the
  FieldFile's save) is remembered with an on-commit mark; when the outermost scope ends, files whose transaction did not commit are
  deleted: all of them when an exception leaves the scope (the rows were rolled back with it), and
  the unmarked ones when it ends outside any transaction.
- For what no scope saw (a process killed between the file and the commit): `orphan_files_sweep`,
  run daily by the worker, deletes stored files older than a grace period that no FileField of any
  model refers to.
"""

import contextvars
import functools
import logging
import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, TypeVar

from django.apps import apps
from django.core.files.storage import FileSystemStorage, default_storage
from django.db import models, transaction

logger = logging.getLogger(__name__)

F = TypeVar("F", bound=Callable[..., Any])


@dataclass
class Written:
    storage: Any
    name: str
    committed: bool = False


_scope: contextvars.ContextVar[list[Written] | None] = contextvars.ContextVar(
    "vcassure_files_written", default=None
)


def stored_file_track(field_file) -> None:
    """Call right after saving a FieldFile (`photo.image.save(...)`): the open scope deletes the
    file again unless the transaction it was written in commits."""
    written = _scope.get()
    if written is None:
        return
    entry = Written(field_file.storage, field_file.name)
    written.append(entry)
    # Runs at once outside a transaction; never when the transaction rolls back.
    transaction.on_commit(lambda: setattr(entry, "committed", True))


@contextmanager
def kept_only_if_committed() -> Iterator[None]:
    if _scope.get() is not None:  # an outer scope decides
        yield
        return
    token = _scope.set([])
    failed = False
    try:
        yield
    except BaseException:
        failed = True
        raise
    finally:
        written = _scope.get() or []
        _scope.reset(token)
        if failed or not transaction.get_connection().in_atomic_block:
            for entry in written:
                if not entry.committed:
                    entry.storage.delete(entry.name)
                    logger.info(
                        "stored file removed, its transaction did not commit: %s", entry.name
                    )


def uploads_guarded(function: F) -> F:
    """For a service that stores files: they go again if it fails."""

    @functools.wraps(function)
    def guarded(*args, **kwargs):
        with kept_only_if_committed():
            return function(*args, **kwargs)

    return guarded  # type: ignore[return-value]


class UploadsKeptOnlyIfCommittedMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with kept_only_if_committed():
            return self.get_response(request)


def referenced_names() -> set[str]:
    """Every stored name a FileField of any installed model refers to."""
    names: set[str] = set()
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if isinstance(field, models.FileField):
                names.update(
                    model._default_manager.exclude(**{field.name: ""})
                    .values_list(field.name, flat=True)
                    .iterator(chunk_size=5000)
                )
    return names


def orphan_files_sweep(grace: timedelta = timedelta(hours=6), *, storage=None) -> list[str]:
    """Delete stored files older than `grace` that no row refers to; returns their names. Files
    younger than the grace may belong to a transaction still open."""
    storage = storage or default_storage
    if not isinstance(storage, FileSystemStorage):
        return []  # an S3 bucket: its own lifecycle rules, not this sweep
    root = storage.location
    cutoff = time.time() - grace.total_seconds()
    candidates: list[str] = []
    for folder, _dirs, files in os.walk(root):
        for file_name in files:
            path = os.path.join(folder, file_name)
            if os.path.getmtime(path) < cutoff:
                candidates.append(os.path.relpath(path, root).replace(os.sep, "/"))
    if not candidates:
        return []
    known = referenced_names()
    removed = [name for name in candidates if name not in known]
    for name in removed:
        storage.delete(name)
    if removed:
        logger.warning("orphan stored files removed: %d", len(removed))
    return removed
