"""Enterprise identifiers: Vietnam's tax code (mã số thuế), China's unified social credit code."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

_VN_WEIGHTS = (31, 29, 23, 19, 17, 13, 7, 5, 3)
_VN_PATTERN = re.compile(r"^([0-9]{10})(?:-?([0-9]{3}))?$")

_CN_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_CN_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_CN_PATTERN = re.compile(rf"^[{_CN_CHARSET}]{{18}}$")


def vn_tax_code_is_valid(value: str) -> bool:
    match = _VN_PATTERN.match(value)
    if not match:
        return False
    digits = [int(ch) for ch in match.group(1)]
    check = 10 - sum(d * w for d, w in zip(digits, _VN_WEIGHTS, strict=False)) % 11
    return check == digits[9] and match.group(2) != "000"


def cn_credit_code_is_valid(value: str) -> bool:
    if not _CN_PATTERN.match(value):
        return False
    total = sum(_CN_CHARSET.index(ch) * w for ch, w in zip(value, _CN_WEIGHTS, strict=False))
    check = (31 - total % 31) % 31
    return _CN_CHARSET[check] == value[17]


def normalise_enterprise_key(value: str) -> str:
    """Upper-case, no spaces; a Vietnamese branch code keeps the dash: 0100109106-001."""
    value = "".join(str(value).split()).upper()
    match = _VN_PATTERN.match(value)
    if match and match.group(2):
        return f"{match.group(1)}-{match.group(2)}"
    return value


def validate_enterprise_key(value: str) -> None:
    key = normalise_enterprise_key(value)
    # 18 characters is a Chinese credit code even when all of them are digits.
    if len(key) != 18 and (key.isdigit() or "-" in key):
        if not vn_tax_code_is_valid(key):
            raise ValidationError(
                _(
                    "“%(value)s” is not a valid Vietnamese tax code: 10 digits (or 10 + 3 for a "
                    "branch) with a correct check digit."
                ),
                code="invalid_tax_code",
                params={"value": value},
            )
        return
    if not cn_credit_code_is_valid(key):
        raise ValidationError(
            _(
                "“%(value)s” is neither a valid Vietnamese tax code nor a valid Chinese unified "
                "social credit code (18 characters with a correct check character)."
            ),
            code="invalid_tax_code",
            params={"value": value},
        )
