"""`vanco check` warns when the fonts the PDFs need are missing."""

from django.core import checks

from vanco.reports.pdf import font_dirs, missing_families


@checks.register()
def pdf_fonts_present(app_configs, **kwargs):
    missing = missing_families()
    if not missing:
        return []
    return [
        checks.Warning(
            f"Bulletins cannot be made as PDF: font(s) {', '.join(missing)} not found in "
            f"{':'.join(font_dirs()) or '(no existing font directory)'}.",
            hint="Install fonts-noto-core and fonts-noto-cjk or set VANCO_PDF_FONT_DIRS.",
            id="vanco.W101",
        )
    ]
