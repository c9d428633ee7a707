"""Shared by the field page and field API tests (test_field_pages_card.py,
test_field_pages_refusals.py, test_field_api.py) and the `task` fixture in conftest.py: photos to
upload, the field URLs, and the form posts a phone makes."""

from django.core.files.uploadedfile import SimpleUploadedFile

from tests.factories.files import image_bytes, photo

__all__ = ["image_bytes", "photo"]

NETOPS_PHONE = "0571-87001234"


def gif() -> SimpleUploadedFile:
    return SimpleUploadedFile("cabinet.gif", image_bytes("GIF"), content_type="image/gif")


def card_url(task) -> str:
    return f"/meetings/tasks/{task.pk}/field/"


def step_url(task, number: int, template: str = "venue-r7") -> str:
    return f"/meetings/tasks/{task.pk}/field/steps/{template}/{number}/"


def check_in(client, task, **data):
    return client.post(f"/meetings/tasks/{task.pk}/field/check-in/", data)


def record(client, task, number, result="pass", note="", photos=(), template="venue-r7"):
    return client.post(
        step_url(task, number, template), {"result": result, "note": note, "photos": list(photos)}
    )


def pass_before_steps(client, task):
    assert record(client, task, 1, photos=[photo()]).status_code == 302
    assert record(client, task, 2).status_code == 302
    assert record(client, task, 3, photos=[photo("join.jpg", "JPEG")]).status_code == 302
