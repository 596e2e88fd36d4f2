"""Enterprise identifiers: Vietnamese tax codes (mã số thuế), Chinese unified social credit codes.

Check digits worked out by hand:

Vietnam, weights 31 29 23 19 17 13 7 5 3 on the first nine digits, check = 10 - sum % 11
(a remainder of 0 would need check "10": no valid code has such a prefix).

  0100109106   0*31 + 1*29 + 0*23 + 0*19 + 1*17 + 0*13 + 9*7 + 1*5 + 0*3
               = 29 + 17 + 63 + 5 = 114;  114 % 11 = 4;  10 - 4 = 6   -> last digit 6
  0300588569   0*31 + 3*29 + 0*23 + 0*19 + 5*17 + 8*13 + 8*7 + 5*5 + 6*3
               = 87 + 85 + 104 + 56 + 25 + 18 = 375;  375 % 11 = 1;  10 - 1 = 9 -> last digit 9
  000000000?   sum 0, 0 % 11 = 0, check would be 10: no tenth digit makes it valid

China (GB 32100-2015), characters 0-9 then A-Y without I O S V Z valued 0..30
(A=10 ... H=17, J=18, K=19, L=20, M=21, N=22, P=23, Q=24, R=25, T=26, U=27, W=28, X=29, Y=30),
weights 1 3 9 27 19 26 16 17 20 29 25 13 8 24 10 30 28, check = (31 - sum % 31) % 31.

  91350100M000100Y43   9*1 + 1*3 + 3*9 + 5*27 + 0*19 + 1*26 + 0*16 + 0*17 + M(21)*20
                       + 0*29 + 0*25 + 0*13 + 1*8 + 0*24 + 0*10 + Y(30)*30 + 4*28
                       = 9 + 3 + 27 + 135 + 26 + 420 + 8 + 900 + 112 = 1640
                       1640 % 31 = 28;  31 - 28 = 3                   -> check "3"
  914403001922038216   (Huawei Technologies Co., Ltd., Shenzhen: digits only)
                       9*1 + 1*3 + 4*9 + 4*27 + 0*19 + 3*26 + 0*16 + 0*17 + 1*20 + 9*29
                       + 2*25 + 2*13 + 0*8 + 3*24 + 8*10 + 2*30 + 1*28
                       = 9 + 3 + 36 + 108 + 78 + 20 + 261 + 50 + 26 + 72 + 80 + 60 + 28 = 831
                       831 % 31 = 25;  31 - 25 = 6                    -> check "6"

Why a single changed character is always caught (the property tests below):
  VN: changing digit i (i < 9) by delta (1 <= |delta| <= 9) changes the sum by w_i * delta.
      11 is prime and neither w_i (31,29,23,19,17,13,7,5,3 = 9,7,1,8,6,2,7,5,3 mod 11) nor delta
      is 0 mod 11, so sum % 11 changes, hence the required check changes (or becomes 10, which
      no digit satisfies) while the tenth digit stayed: invalid. Changing the tenth digit alone:
      the check is unique, so invalid too. Swapping two adjacent different digits among the first
      nine changes the sum by (a - b)(w_i - w_i+1), and the weight differences 2,6,4,2,4,6,2,2
      are non-zero mod 11: also caught.
  CN: 31 is prime, every weight is in 1..30 and a character change is 1..30 in value, so the
      same argument holds for any one of the 18 positions.
"""

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation
from hypothesis import given, settings
from hypothesis import strategies as st

from vanco.core.identifiers import (
    cn_credit_code_is_valid,
    normalise_enterprise_key,
    validate_enterprise_key,
    vn_tax_code_is_valid,
)

VN_WEIGHTS = (31, 29, 23, 19, 17, 13, 7, 5, 3)
CN_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
CN_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
DIGITS = "0123456789"

# No example database: the suite must not write a .hypothesis directory into the project.
quick = settings(database=None, deadline=None)


def vn_check(prefix: str) -> int:
    """The check value for nine digits; 10 means no tenth digit can make a valid code."""
    return 10 - sum(int(d) * w for d, w in zip(prefix, VN_WEIGHTS, strict=True)) % 11


def cn_check(prefix: str) -> str:
    total = sum(CN_CHARSET.index(c) * w for c, w in zip(prefix, CN_WEIGHTS, strict=True))
    return CN_CHARSET[(31 - total % 31) % 31]


# A nine-digit prefix whose check is a digit, completed into a valid ten-digit code.
vn_codes = (
    st.text(DIGITS, min_size=9, max_size=9)
    .filter(lambda p: vn_check(p) != 10)
    .map(lambda p: p + str(vn_check(p)))
)
cn_codes = st.text(CN_CHARSET, min_size=17, max_size=17).map(lambda p: p + cn_check(p))


# --- Vietnam: known codes -------------------------------------------------------------------


@pytest.mark.parametrize("code", ["0100109106", "0300588569"])
def test_vn_tax_code_known_codes_valid(code):
    assert vn_tax_code_is_valid(code) is True


@pytest.mark.parametrize("code", ["0100109105", "0100109107", "0300588560", "0300588568"])
def test_vn_tax_code_wrong_check_digit_invalid(code):
    assert vn_tax_code_is_valid(code) is False


@pytest.mark.parametrize("last", DIGITS)
def test_vn_tax_code_prefix_needing_check_ten_never_valid(last):
    # 000000000: weighted sum 0, remainder 0, the check would have to be 10.
    assert vn_tax_code_is_valid("000000000" + last) is False


@pytest.mark.parametrize("code", ["0100109106-001", "0100109106001", "0100109106-999"])
def test_vn_tax_code_branch_forms_valid(code):
    assert vn_tax_code_is_valid(code) is True


@pytest.mark.parametrize("code", ["0100109106-000", "0100109106000"])
def test_vn_tax_code_branch_suffix_000_invalid(code):
    assert vn_tax_code_is_valid(code) is False


@pytest.mark.parametrize(
    "code",
    [
        "",
        "010010910",  # 9 digits
        "01001091060",  # 11 digits
        "0100109106-01",  # branch of 2 digits
        "0100109106-0011",  # branch of 4 digits
        "0100109106--001",
        "0100109107-001",  # branch of an invalid head office code
        "01001O9106",  # letter O for zero
        " 0100109106",  # not normalised
    ],
)
def test_vn_tax_code_malformed_invalid(code):
    assert vn_tax_code_is_valid(code) is False


@pytest.mark.parametrize(
    "code",
    [
        "０１００１０９１０６",  # full-width digits, as some input methods type them
        "٠١٠٠١٠٩١٠٦",  # Arabic-Indic digits
        "0100109106-００１",
    ],
)
def test_vn_tax_code_non_ascii_digits_invalid(code):
    # Python's \d matches every Unicode digit and int() reads them, so these would pass as
    # 0100109106 while being stored as a different string: the natural key would no longer
    # match the same enterprise typed with ASCII digits.
    assert vn_tax_code_is_valid(code) is False


# --- Vietnam: properties --------------------------------------------------------------------


@quick
@given(vn_codes)
def test_vn_tax_code_generated_codes_valid(code):
    assert vn_tax_code_is_valid(code) is True


@quick
@given(vn_codes, st.integers(0, 9), st.integers(1, 9))
def test_vn_tax_code_any_single_digit_change_invalid(code, position, shift):
    changed = str((int(code[position]) + shift) % 10)
    mutated = code[:position] + changed + code[position + 1 :]
    assert mutated != code
    assert vn_tax_code_is_valid(mutated) is False


@quick
@given(vn_codes, st.integers(0, 7))
def test_vn_tax_code_adjacent_swap_in_first_nine_invalid(code, position):
    a, b = code[position], code[position + 1]
    if a == b:
        return  # swapping equal digits changes nothing
    swapped = code[:position] + b + a + code[position + 2 :]
    assert vn_tax_code_is_valid(swapped) is False


@quick
@given(vn_codes, st.integers(1, 999))
def test_vn_tax_code_branch_of_valid_code_valid(code, branch):
    assert vn_tax_code_is_valid(f"{code}-{branch:03d}") is True
    assert vn_tax_code_is_valid(f"{code}{branch:03d}") is True


# --- China: known codes ---------------------------------------------------------------------


@pytest.mark.parametrize("code", ["91350100M000100Y43", "914403001922038216"])
def test_cn_credit_code_known_codes_valid(code):
    assert cn_credit_code_is_valid(code) is True


@pytest.mark.parametrize(
    "code",
    [
        "91350100M000100Y42",  # wrong check character
        "91350100M000100Y4A",
        "914403001922038217",
        "91350100M000100Y4",  # 17 characters
        "91350100M000100Y430",  # 19 characters
        "91350100I000100Y43",  # I is not in the alphabet
        "91350100O000100Y43",  # nor O
        "91350100S000100Y43",
        "91350100V000100Y43",
        "91350100Z000100Y43",
        "91350100m000100y43",  # lower case is not normalised here
        "",
    ],
)
def test_cn_credit_code_bad_codes_invalid(code):
    assert cn_credit_code_is_valid(code) is False


# --- China: properties ----------------------------------------------------------------------


@quick
@given(cn_codes)
def test_cn_credit_code_generated_codes_valid(code):
    assert cn_credit_code_is_valid(code) is True


@quick
@given(cn_codes, st.integers(0, 17), st.integers(1, 30))
def test_cn_credit_code_any_single_character_change_invalid(code, position, shift):
    changed = CN_CHARSET[(CN_CHARSET.index(code[position]) + shift) % 31]
    mutated = code[:position] + changed + code[position + 1 :]
    assert mutated != code
    assert cn_credit_code_is_valid(mutated) is False


# --- normalise_enterprise_key ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "normalised"),
    [
        ("0100109106", "0100109106"),
        (" 0100 109 106 ", "0100109106"),
        ("0100109106001", "0100109106-001"),
        ("0100109106-001", "0100109106-001"),
        ("0100109106 - 001", "0100109106-001"),
        ("\t0100109106\n001", "0100109106-001"),
        ("91350100m000100y43", "91350100M000100Y43"),
        (" 9135 0100 M000 100Y 43 ", "91350100M000100Y43"),
        ("", ""),
    ],
)
def test_normalise_enterprise_key_canonical_form(raw, normalised):
    assert normalise_enterprise_key(raw) == normalised


@quick
@given(st.one_of(vn_codes, cn_codes), st.integers(0, 999))
def test_normalise_enterprise_key_idempotent(code, branch):
    for key in (code, f"{code}{branch:03d}", code.lower()):
        once = normalise_enterprise_key(key)
        assert normalise_enterprise_key(once) == once


# --- validate_enterprise_key ----------------------------------------------------------------


@pytest.mark.parametrize(
    "key",
    [
        "0100109106",
        "0300588569",
        "0100109106-001",
        "0100109106001",
        " 0100109106 ",
        "91350100M000100Y43",
        "91350100m000100y43",
    ],
)
def test_validate_enterprise_key_accepts_valid_keys(key):
    assert validate_enterprise_key(key) is None


def test_validate_enterprise_key_accepts_digits_only_chinese_code():
    # Many real unified social credit codes are all digits (Huawei: 914403001922038216).
    # An 18-digit key cannot be a Vietnamese tax code (10 or 13 digits), so it must be
    # checked as a Chinese code instead of being refused as a bad Vietnamese one.
    assert validate_enterprise_key("914403001922038216") is None


@pytest.mark.parametrize("key", ["0100109107", "0100109106-000", "01001091", "0100109106-01"])
def test_validate_enterprise_key_bad_vn_code_message(key):
    with pytest.raises(ValidationError) as excinfo:
        validate_enterprise_key(key)
    error = excinfo.value
    assert error.code == "invalid_tax_code"
    with translation.override("en"):  # the message is lazy: read it in English
        messages = error.messages
    assert messages == [
        f"“{key}” is not a valid Vietnamese tax code: 10 digits (or 10 + 3 for a branch) "
        "with a correct check digit."
    ]


@pytest.mark.parametrize("key", ["91350100M000100Y42", "ABC", "91350100I000100Y43", ""])
def test_validate_enterprise_key_neither_kind_message(key):
    with pytest.raises(ValidationError) as excinfo:
        validate_enterprise_key(key)
    error = excinfo.value
    assert error.code == "invalid_tax_code"
    with translation.override("en"):  # the message is lazy: read it in English
        messages = error.messages
    assert messages == [
        f"“{key}” is neither a valid Vietnamese tax code nor a valid Chinese unified social "
        "credit code (18 characters with a correct check character)."
    ]
