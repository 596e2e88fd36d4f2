"""Text folding for search that ignores Vietnamese (and other) diacritics and case."""

import unicodedata

# NFD leaves these as base letters of their own; map them by hand.
_EXTRA = str.maketrans({"đ": "d", "Đ": "d", "ø": "o", "Ø": "o", "ł": "l", "Ł": "l"})


def fold(text: str | None) -> str:
    """Lower-case, strip diacritics, squeeze spaces: 'Thành phố  Đà Nẵng' -> 'thanh pho da nang'."""
    if not text:
        return ""
    decomposed = unicodedata.normalize("NFD", str(text).translate(_EXTRA))
    stripped = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    return " ".join(unicodedata.normalize("NFC", stripped).casefold().split())


def search_document(*parts: object) -> str:
    return fold(" ".join(str(part) for part in parts if part))
