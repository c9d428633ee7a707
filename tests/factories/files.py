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
