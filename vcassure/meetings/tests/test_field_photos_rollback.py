"""A step posted with its photo from the phone, whose request fails after the photo was stored
(opening the fault is refused), leaves neither the row nor the file: the request's scope
(core.stored_files middleware) removes files whose transaction did not commit."""

import pytest

from tests.factories.checklists import default_templates
from vcassure.checklists.models import StepPhoto, StepResult
from vcassure.core.errors import InvalidInputError
from vcassure.meetings.tests.field_helpers import check_in, photo, record

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def templates():
    default_templates()  # before the `task` fixture publishes the meeting


def files(root) -> list[str]:
    return [str(p) for p in root.rglob("*") if p.is_file()]


def test_a_request_that_fails_after_the_photo_was_stored_leaves_no_file(
    task, before, worker, settings, tmp_path, monkeypatch
):
    settings.MEDIA_ROOT = tmp_path / "media"
    check_in(worker, task)

    def fault_refused(**kwargs):
        raise InvalidInputError("故障单写入失败")

    monkeypatch.setattr("vcassure.meetings.services.field_work.fault_open", fault_refused)
    response = record(worker, task, 1, result="fail", note="机柜无电", photos=[photo()])
    assert response.status_code == 422 and "故障单写入失败" in response.content.decode()
    assert not StepResult.objects.exists() and not StepPhoto.objects.exists()
    assert files(settings.MEDIA_ROOT) == []

    monkeypatch.undo()
    assert record(worker, task, 1, photos=[photo()]).status_code == 302
    assert len(files(settings.MEDIA_ROOT)) == StepPhoto.objects.count() == 1
