"""Uploaded files judged by parsing them, never by their name, the browser's claim or their first
bytes: a PDF must open as a PDF with a page (pypdf), a Word document must be an Office Open XML
package whose main part is a document (zipfile and its [Content_Types].xml), an image must
decode (Pillow). A file that starts with "%PDF-" and goes on as HTML, or a PNG named .svg, is
stored and served as what it is, or refused.

The platform chooses the stored name (a random one, with the extension of the detected type) and
serves the file with the detected type; the person's file name is at most display data."""

import io
import unicodedata
import uuid
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import IO, Any

from PIL import Image, ImageFile, UnidentifiedImageError

PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
DOCX_MAIN_PART = b"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
IMAGE_FORMATS = {
    "JPEG": ("jpg", "image/jpeg"),
    "PNG": ("png", "image/png"),
    "WEBP": ("webp", "image/webp"),
}
CONTENT_TYPES = {
    "pdf": PDF,
    "docx": DOCX,
    **dict(IMAGE_FORMATS.values()),
}
OCTET_STREAM = "application/octet-stream"
MAX_CONTENT_TYPES_BYTES = 1024 * 1024
DISPLAY_NAME_MAX = 100
UNSAFE_IN_NAMES = set('<>:"/\\|?*')


@dataclass(frozen=True)
class DetectedFile:
    kind: str  # "pdf", "docx" or "image"
    extension: str  # without the dot, one of CONTENT_TYPES
    content_type: str
    width: int = 0
    height: int = 0


def upload_bytes(upload: Any) -> bytes:
    upload.seek(0)
    data = upload.read()
    upload.seek(0)
    return data


def decode_image(data: bytes) -> tuple[str, int, int] | None:
    """(Pillow's format name, width, height) of an image Pillow verifies and then decodes whole;
    None when it does not."""
    # A library may have turned on Pillow's global "load truncated images" (WeasyPrint does on
    # import, for the PDF reports): an upload check is only a check with it off.
    ImageFile.LOAD_TRUNCATED_IMAGES = False
    try:
        with Image.open(io.BytesIO(data)) as image:
            image.verify()
        with Image.open(io.BytesIO(data)) as image:
            fmt, (width, height) = image.format, image.size
            if fmt == "JPEG":  # every scan is still decoded, at an eighth of the size
                image.draft("RGB", (max(width // 8, 1), max(height // 8, 1)))
            image.load()
    except (
        UnidentifiedImageError,
        OSError,
        SyntaxError,
        ValueError,
        EOFError,
        Image.DecompressionBombError,
    ):
        return None
    return str(fmt), width, height


def detect_image(
    data: bytes, formats: tuple[str, ...] = tuple(IMAGE_FORMATS)
) -> DetectedFile | None:
    """An image that decodes, in one of `formats` (of IMAGE_FORMATS); None otherwise."""
    decoded = decode_image(data)
    if decoded is None or decoded[0] not in formats or decoded[0] not in IMAGE_FORMATS:
        return None
    fmt, width, height = decoded
    extension, content_type = IMAGE_FORMATS[fmt]
    return DetectedFile("image", extension, content_type, width, height)


def detect_pdf(data: bytes) -> DetectedFile | None:
    """A PDF that pypdf opens, with at least one page; None otherwise."""
    if not data.startswith(b"%PDF-"):
        return None
    from pypdf import PdfReader

    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted and not reader.decrypt(""):
            return None  # a notice nobody can open without a password
        if len(reader.pages) < 1:
            return None
        reader.pages[0].mediabox  # noqa: B018 - the first page must parse too
    except Exception:  # pypdf raises many kinds on malformed input: each means "not a PDF"
        return None
    return DetectedFile("pdf", "pdf", PDF)


def detect_docx(data: bytes) -> DetectedFile | None:
    """A Word document (.docx): a zip with word/document.xml declared in [Content_Types].xml as
    the main document part (a macro-enabled .docm declares another type and is refused)."""
    import zipfile

    if not data.startswith(b"PK\x03\x04"):
        return None
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
            if "word/document.xml" not in names or "[Content_Types].xml" not in names:
                return None
            if archive.getinfo("[Content_Types].xml").file_size > MAX_CONTENT_TYPES_BYTES:
                return None
            types = archive.read("[Content_Types].xml")
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, RuntimeError, NotImplementedError):
        return None
    if DOCX_MAIN_PART not in types or b'PartName="/word/document.xml"' not in types:
        return None
    return DetectedFile("docx", "docx", DOCX)


def detect_document(upload: IO[bytes], *, image_formats: tuple[str, ...]) -> DetectedFile | None:
    """A PDF, a Word document or an image in `image_formats`, judged by parsing the content."""
    data = upload_bytes(upload)
    return detect_pdf(data) or detect_docx(data) or detect_image(data, image_formats)


def stored_path(folder: str, extension: str) -> str:
    """Where an upload is stored: a random name chosen here, with a known extension only."""
    if extension not in CONTENT_TYPES:
        raise ValueError(f"no stored type for extension {extension!r}")
    return f"{folder.rstrip('/')}/{uuid.uuid4().hex}.{extension}"


def content_type_for(stored_name: str) -> str:
    """The type a stored file is served as, from the extension the platform gave it (a file
    stored under anything else is served as bytes to download)."""
    return CONTENT_TYPES.get(PurePosixPath(stored_name).suffix.lower().lstrip("."), OCTET_STREAM)


def display_name(original: str, detected: DetectedFile, *, default: str) -> str:
    """The person's file name, for display and downloads only: without folders, control and
    format characters or characters file systems refuse, and with the detected type's extension."""
    name = PurePosixPath((original or "").replace("\\", "/")).name
    name = "".join(
        ch
        for ch in unicodedata.normalize("NFC", name)
        if not unicodedata.category(ch).startswith("C") and ch not in UNSAFE_IN_NAMES
    )
    stem = name.rsplit(".", 1)[0] if "." in name else name
    stem = " ".join(stem.split()).strip(". ")[:DISPLAY_NAME_MAX] or default
    return f"{stem}.{detected.extension}"
