"""Uploads: what may be attached (checked by extension AND content), sanitised names, downloads.

A file is accepted only when its extension is on the list below and its first bytes (or, for
Office Open XML, its `[Content_Types].xml` part) say it really is that kind of file. A PNG
renamed `.pdf`, an executable renamed `.jpg` or a macro workbook renamed `.xlsx` are refused.
Stored files get a random name (the model's `upload_to`); the person's file name is kept,
sanitised, in `original_name` and used only in the download's Content-Disposition.
"""

import os
import re
import unicodedata
import zipfile
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.utils.translation import gettext_lazy as _

MAX_NAME_LENGTH = 120
_HEADER_BYTES = 16
# [Content_Types].xml of a real Office file is a few kB; anything huge is not one.
_MAX_CONTENT_TYPES_BYTES = 1024 * 1024

_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_PNG = b"\x89PNG\r\n\x1a\n"
_JPEG = b"\xff\xd8\xff"
_PDF = b"%PDF-"
_ZIP = b"PK\x03\x04"

_OOXML_MAIN = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml",
}


@dataclass(frozen=True)
class FileKind:
    content_type: str
    label: str


KINDS: dict[str, FileKind] = {
    "pdf": FileKind("application/pdf", "PDF"),
    "jpg": FileKind("image/jpeg", "JPEG"),
    "jpeg": FileKind("image/jpeg", "JPEG"),
    "png": FileKind("image/png", "PNG"),
    "webp": FileKind("image/webp", "WebP"),
    "docx": FileKind(
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "Word"
    ),
    "xlsx": FileKind("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "Excel"),
    "pptx": FileKind(
        "application/vnd.openxmlformats-officedocument.presentationml.presentation", "PowerPoint"
    ),
    "doc": FileKind("application/msword", "Word 97-2003"),
    "xls": FileKind("application/vnd.ms-excel", "Excel 97-2003"),
    "txt": FileKind("text/plain; charset=utf-8", "text"),
    "csv": FileKind("text/csv; charset=utf-8", "CSV"),
}

ALLOWED_EXTENSIONS = tuple(KINDS)


@dataclass(frozen=True)
class CheckedUpload:
    name: str
    extension: str
    content_type: str
    size: int


# --- names ----------------------------------------------------------------------------------

_RESERVED = re.compile(r'[<>:"/\\|?*]')
_UNSAFE_CATEGORIES = {"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"}


def sanitize_filename(name: str | None, *, max_length: int = MAX_NAME_LENGTH) -> str:
    """A file name safe to show and to send back: no directories, no control or invisible
    characters (a right-to-left override could disguise `gpj.exe` as `exe.jpg`), no characters
    Windows refuses, Vietnamese and Chinese letters kept, at most `max_length` characters with
    the extension preserved. Never empty."""
    text = unicodedata.normalize("NFC", str(name or ""))
    # Browsers may send a full Windows or POSIX path; keep only the last component.
    text = re.split(r"[/\\]", text)[-1]
    text = "".join(
        " " if ch.isspace() else ch
        for ch in text
        if ch.isspace() or unicodedata.category(ch) not in _UNSAFE_CATEGORIES
    )
    text = _RESERVED.sub("_", text)
    text = " ".join(text.split())
    text = text.strip(". ")
    stem, ext = os.path.splitext(text)
    ext = ext[:16]
    stem = stem[: max(1, max_length - len(ext))].rstrip(". ")
    return f"{stem or 'file'}{ext}"


def extension_of(name: str) -> str:
    return os.path.splitext(name)[1].lower().lstrip(".")


# --- content checks -------------------------------------------------------------------------


def _read_all(uploaded_file) -> bytes:
    uploaded_file.seek(0)
    data = uploaded_file.read()
    uploaded_file.seek(0)
    return data


def _head(uploaded_file) -> bytes:
    uploaded_file.seek(0)
    data = uploaded_file.read(_HEADER_BYTES)
    uploaded_file.seek(0)
    return data


def _ooxml_main_type(uploaded_file) -> str | None:
    """The main content type declared by an Office Open XML package, or None if it is not one."""
    uploaded_file.seek(0)
    try:
        with zipfile.ZipFile(uploaded_file) as package:
            info = package.getinfo("[Content_Types].xml")
            if info.file_size > _MAX_CONTENT_TYPES_BYTES:
                return None
            xml = package.read(info).decode("utf-8", errors="replace")
    except (zipfile.BadZipFile, KeyError, OSError, RuntimeError, ValueError, EOFError):
        return None
    finally:
        uploaded_file.seek(0)
    for main in _OOXML_MAIN.values():
        if f'ContentType="{main}"' in xml:
            return main
    return None


def _content_matches(extension: str, uploaded_file) -> bool:
    head = _head(uploaded_file)
    if extension == "pdf":
        return head.startswith(_PDF)
    if extension in ("jpg", "jpeg"):
        return head.startswith(_JPEG)
    if extension == "png":
        return head.startswith(_PNG)
    if extension == "webp":
        return head[:4] == b"RIFF" and head[8:12] == b"WEBP"
    if extension in ("doc", "xls"):
        return head.startswith(_OLE2)
    if extension in _OOXML_MAIN:
        return head.startswith(_ZIP) and _ooxml_main_type(uploaded_file) == _OOXML_MAIN[extension]
    if extension in ("txt", "csv"):
        data = _read_all(uploaded_file)
        if b"\x00" in data:
            return False
        try:
            data.decode("utf-8")
        except UnicodeDecodeError:
            return False
        return True
    return False


def max_upload_bytes() -> int:
    return int(getattr(settings, "VANCO_ATTACHMENT_MAX_MB", 20)) * 1024 * 1024


def check_upload(uploaded_file, *, field: str = "file") -> CheckedUpload:
    """Validate an upload; ValidationError keyed by `field` with a message the uploader
    understands. Leaves the file positioned at its start."""
    name = sanitize_filename(getattr(uploaded_file, "name", ""))
    extension = extension_of(name)
    size = uploaded_file.size
    if not size:
        raise ValidationError({field: _("The file is empty.")}, code="empty")
    limit_mb = int(getattr(settings, "VANCO_ATTACHMENT_MAX_MB", 20))
    if size > max_upload_bytes():
        raise ValidationError(
            {
                field: ValidationError(
                    _("The file is too large: at most %(limit)s MB is allowed."),
                    code="too_large",
                    params={"limit": limit_mb},
                )
            }
        )
    if extension not in KINDS:
        raise ValidationError(
            {
                field: ValidationError(
                    _("This type of file cannot be attached. Allowed types: %(types)s."),
                    code="type_not_allowed",
                    params={"types": ", ".join(ALLOWED_EXTENSIONS)},
                )
            }
        )
    if not _content_matches(extension, uploaded_file):
        raise ValidationError(
            {
                field: ValidationError(
                    _(
                        "The content of the file does not match its extension .%(extension)s. "
                        "Save it again in the right format and upload it."
                    ),
                    code="content_mismatch",
                    params={"extension": extension},
                )
            }
        )
    uploaded_file.seek(0)
    return CheckedUpload(
        name=name, extension=extension, content_type=KINDS[extension].content_type, size=size
    )


# --- downloads ------------------------------------------------------------------------------


def download_response(attachment) -> FileResponse:
    """Send a stored file (a `core.models.StoredFile`) as a download, never rendered inline."""
    try:
        handle = attachment.file.open("rb")
    except (FileNotFoundError, ValueError):
        raise Http404("attachment file missing") from None
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=attachment.original_name,
        content_type=attachment.content_type or "application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response
