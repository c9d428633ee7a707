"""Small real files for upload tests: they must parse (vcassure.core.uploads checks content)."""

import io

from pypdf import PdfWriter


def pdf_bytes() -> bytes:
    """A one-page PDF."""
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def image_bytes(fmt: str = "PNG", size=(64, 48)) -> bytes:
    """A small real image (a blue rectangle) in the given format."""
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", size, (30, 120, 200)).save(buffer, format=fmt)
    return buffer.getvalue()


def photo(name: str = "cabinet.png", fmt: str = "PNG"):
    """A photo as the phone uploads it."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, image_bytes(fmt), content_type=f"image/{fmt.lower()}")
