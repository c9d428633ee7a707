"""Checklist templates and steps, and uploads that are (or pretend to be) step photos."""

import io

import factory
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from vcassure.checklists.models import ChecklistStep, ChecklistTemplate

CONTENT_TYPES = {
    "JPEG": "image/jpeg",
    "PNG": "image/png",
    "WEBP": "image/webp",
    "GIF": "image/gif",
    "BMP": "image/bmp",
}


class ChecklistTemplateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ChecklistTemplate

    code = factory.Sequence(lambda n: f"test-{n}")
    name = factory.Sequence(lambda n: f"检查模板{n}")
    kind = ChecklistTemplate.Kind.CUSTOM


class ChecklistStepFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ChecklistStep

    template = factory.SubFactory(ChecklistTemplateFactory)
    number = factory.Sequence(lambda n: n + 1)
    title = factory.Sequence(lambda n: f"步骤{n}")
    phase = ChecklistStep.Phase.BEFORE
    requires_photo = False


def image_bytes(fmt: str = "PNG", size: tuple[int, int] = (64, 48)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (30, 120, 200)).save(buffer, format=fmt)
    return buffer.getvalue()


def image_upload(
    name: str = "cabinet.png", fmt: str = "PNG", size: tuple[int, int] = (64, 48)
) -> SimpleUploadedFile:
    """A real image in `fmt`, whatever `name` says."""
    return SimpleUploadedFile(name, image_bytes(fmt, size), content_type=CONTENT_TYPES[fmt])


def default_templates() -> None:
    """The R7/R8 templates the data migration writes, again: a transactional test's flush removes
    them, and a later test in the same process needs them."""
    import importlib

    from django.apps import apps

    if not ChecklistTemplate.objects.exists():
        importlib.import_module(
            "vcassure.checklists.migrations.0002_default_templates"
        ).add_templates(apps, None)
