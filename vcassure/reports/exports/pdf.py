"""HTML → PDF with WeasyPrint. Chinese text is set in Debian's Noto Sans CJK (fonts-noto-cjk,
installed by `make tools`): found through fontconfig, nothing downloaded."""

import base64
import functools
import logging
from pathlib import Path

from django.template.loader import render_to_string

STYLESHEET = Path(__file__).with_name("pdf.css")
# WeasyPrint logs every step at INFO; only its warnings belong in the platform's log.
logging.getLogger("weasyprint").setLevel(logging.WARNING)
logging.getLogger("fontTools").setLevel(logging.WARNING)


@functools.cache
def _stylesheet():
    from weasyprint import (
        CSS,  # imported on first use: it takes a while and most processes never need it
    )

    return CSS(filename=str(STYLESHEET))


def pdf_from_template(template: str, context: dict) -> bytes:
    from PIL import ImageFile
    from weasyprint import HTML

    html = render_to_string(template, context)
    try:
        return HTML(string=html).write_pdf(stylesheets=[_stylesheet()])
    finally:
        # WeasyPrint turns Pillow's global "load truncated images" on when it is imported; the
        # upload checks of this process need it off (core.uploads also insists on it).
        ImageFile.LOAD_TRUNCATED_IMAGES = False


def svg_data_uri(svg: str) -> str:
    """An SVG as an <img> source inside the PDF (WeasyPrint reads data: URIs; pages never do)."""
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()
