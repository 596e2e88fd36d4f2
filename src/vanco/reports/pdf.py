"""PDF through typst: locate the fonts (a CJK one is required), compile a template with data.

The data goes in as JSON through `sys.inputs.data`; templates live in
src/vanco/reports/templates/reports/*.typ. Fonts come only from the configured directories
(VANCO_PDF_FONT_DIRS, colon-separated, default: Debian's Noto directories), never from
whatever the machine happens to have, so a PDF looks the same on every server.

typst 0.15 does not warn about a glyph no font has (it draws an empty box): the fonts are
therefore checked before compiling (Noto Sans for Latin and Vietnamese, Noto Sans CJK SC for
Chinese), and any warning typst does give (an unknown font family, …) is an error.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

import typst
from django.conf import settings
from django.utils.translation import gettext as _

TEMPLATE_DIR = Path(__file__).parent / "templates" / "reports"
DEFAULT_FONT_DIRS = (
    "/usr/share/fonts/truetype/noto",
    "/usr/share/fonts/opentype/noto",
    "/usr/share/fonts/noto",
    "/usr/share/fonts/noto-cjk",
)
#: the body font (Latin and Vietnamese) and the Chinese font, in typst's fallback order
LATIN_FAMILY = "Noto Sans"
CJK_FAMILY = "Noto Sans CJK SC"
REQUIRED_FAMILIES = (LATIN_FAMILY, CJK_FAMILY)


class PdfError(RuntimeError):
    """The PDF cannot be made (fonts missing, template error): the message says why."""


def font_dirs() -> list[str]:
    dirs = settings.VANCO_PDF_FONT_DIRS or DEFAULT_FONT_DIRS
    return [item for item in dirs if Path(item).is_dir()]


@lru_cache(maxsize=8)
def _families(dirs: tuple[str, ...]) -> frozenset[str]:
    if not dirs:
        return frozenset()
    fonts = typst.Fonts(
        include_system_fonts=False, include_embedded_fonts=False, font_paths=list(dirs)
    )
    return frozenset(info.family for info in fonts.fonts())


def missing_families(dirs: list[str] | None = None) -> list[str]:
    """The required font families not found in the font directories."""
    found = _families(tuple(font_dirs() if dirs is None else dirs))
    return [family for family in REQUIRED_FAMILIES if family not in found]


def missing_fonts_message(missing: list[str]) -> str:
    return _(
        "Cannot make the PDF: the font(s) %(fonts)s were not found in %(dirs)s. Install "
        "Debian's fonts-noto-core and fonts-noto-cjk, or set VANCO_PDF_FONT_DIRS to the "
        "folders holding Noto Sans and Noto Sans CJK SC."
    ) % {"fonts": ", ".join(missing), "dirs": ":".join(font_dirs()) or "—"}


def render(template: str, data: dict) -> bytes:
    """Compile templates/reports/<template> with `data`; PdfError when it cannot be done."""
    dirs = font_dirs()
    missing = missing_families(dirs)
    if missing:
        raise PdfError(missing_fonts_message(missing))
    payload = {**data, "fonts": list(REQUIRED_FAMILIES)}
    try:
        pdf, warnings = typst.compile_with_warnings(
            str(TEMPLATE_DIR / template),
            root=str(TEMPLATE_DIR),
            font_paths=dirs,
            ignore_system_fonts=True,
            sys_inputs={"data": json.dumps(payload, ensure_ascii=False)},
        )
    except typst.TypstError as error:
        raise PdfError(_("The PDF template failed: %(error)s") % {"error": error}) from error
    if warnings:
        raise PdfError(
            _("The PDF would not render correctly: %(warnings)s")
            % {"warnings": "; ".join(str(warning) for warning in warnings)}
        )
    return pdf
