"""Search folding (vanco.core.text.fold) and the folded search on list pages.

SQLite's LIKE and lower() fold ASCII only; PostgreSQL's LIKE folds nothing. The list search
works alike on both because the search column is stored folded and the query is folded too.
"""

import unicodedata

import pytest
from django.urls import reverse
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.factories import DepartmentFactory, LocalityFactory
from vanco.accounts.enums import Role
from vanco.accounts.services import issue_token
from vanco.core.text import fold, search_document
from vanco.org.models import Locality

quick = settings(database=None, deadline=None)

VIETNAMESE_LETTERS = (
    "aàáảãạăằắẳẵặâầấẩẫậbcdđeèéẻẽẹêềếểễệghiìíỉĩịklmnoòóỏõọôồốổỗộơờớởỡợpqrstuùúủũụưừứửữựvxyỳýỷỹỵ"
)
VIETNAMESE_TEXT = st.text(
    alphabet=st.sampled_from(VIETNAMESE_LETTERS + VIETNAMESE_LETTERS.upper() + "  \t\n"),
    max_size=40,
)


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("Thành phố Đà Nẵng", "thanh pho da nang"),
        ("THÀNH PHỐ HỒ CHÍ MINH", "thanh pho ho chi minh"),
        ("Đắk Lắk", "dak lak"),
        ("đường Điện Biên Phủ", "duong dien bien phu"),
        ("Quận Ánh Dương", "quan anh duong"),
        ("Sở Kế hoạch và Đầu tư", "so ke hoach va dau tu"),
        ("Huyện Bình Sơn", "huyen binh son"),
        ("Phường Đông Hà", "phuong dong ha"),
        ("Công ty TNHH Ứng dụng Số", "cong ty tnhh ung dung so"),
    ],
)
def test_fold_vietnamese_strips_marks_and_case(text, folded):
    assert fold(text) == folded


def test_fold_d_with_stroke_both_cases():
    assert fold("đ") == "d"
    assert fold("Đ") == "d"
    assert fold("ĐĐđđ") == "dddd"


def test_fold_decomposed_input_same_as_composed():
    # Text pasted from some systems arrives in NFD (base letter + combining marks).
    composed = "Thành phố Đà Nẵng"
    assert fold(unicodedata.normalize("NFD", composed)) == "thanh pho da nang"


def test_fold_squeezes_and_trims_whitespace():
    assert fold("  Thành   phố\t\nĐà \u00a0 Nẵng  ") == "thanh pho da nang"


def test_fold_chinese_passes_through():
    assert fold("领导小组办公室") == "领导小组办公室"
    assert fold("华为技术有限公司 Huawei") == "华为技术有限公司 huawei"


@pytest.mark.parametrize("empty", [None, "", "   "])
def test_fold_empty_gives_empty_string(empty):
    assert fold(empty) == ""


def test_search_document_joins_folded_parts_skipping_empty():
    assert search_document("DA", None, "", "Quận Ánh Dương") == "da quan anh duong"


@quick
@given(VIETNAMESE_TEXT)
def test_fold_idempotent_on_vietnamese(text):
    assert fold(fold(text)) == fold(text)


@quick
@given(VIETNAMESE_TEXT)
def test_fold_vietnamese_gives_ascii_lowercase(text):
    folded = fold(text)
    assert folded == folded.lower()
    assert folded.isascii()
    assert "  " not in folded
    assert folded == folded.strip()


@quick
@given(VIETNAMESE_TEXT)
def test_fold_ignores_case(text):
    assert fold(text.upper()) == fold(text.lower())


# --- searching a list page ------------------------------------------------------------------


def _names(response) -> list[str]:
    assert response.status_code == 200
    return [obj.name for obj in response.context["page"].object_list]


@pytest.fixture
def named_localities(world):
    # The world's city is "Thành phố Thử Nghiệm"; add a district whose name has no "thanh pho".
    LocalityFactory(code="TPTD", name="Thị xã Thanh Hà", parent=world["city"])
    return world


@pytest.mark.parametrize("query", ["thanh pho", "Thành phố", "THANH PHO", "  thành   PHỐ "])
def test_locality_list_search_ignores_marks_and_case(coordinator_client, named_localities, query):
    response = coordinator_client.get(reverse("org:locality-list"), {"q": query})
    assert _names(response) == ["Thành phố Thử Nghiệm"]


@pytest.mark.parametrize("query", ["dong ha", "Đông Hà", "ĐÔNG", "đông hà"])
def test_locality_list_search_folds_d_with_stroke(coordinator_client, named_localities, query):
    response = coordinator_client.get(reverse("org:locality-list"), {"q": query})
    assert _names(response) == ["Phường Đông Hà"]


def test_locality_list_search_matches_inside_words(coordinator_client, named_localities):
    # "thanh" is in "Thành phố Thử Nghiệm" and "Thị xã Thanh Hà" only.
    response = coordinator_client.get(reverse("org:locality-list"), {"q": "thanh", "sort": "name"})
    assert _names(response) == ["Thành phố Thử Nghiệm", "Thị xã Thanh Hà"]


def test_locality_list_search_by_code(coordinator_client, named_localities):
    response = coordinator_client.get(reverse("org:locality-list"), {"q": "db-1"})
    assert _names(response) == ["Xã Tây Sơn"]


def test_locality_list_search_no_match_is_empty(coordinator_client, named_localities):
    response = coordinator_client.get(reverse("org:locality-list"), {"q": "hải phòng"})
    assert _names(response) == []


def test_locality_search_text_stored_folded_after_rename(coordinator, named_localities):
    locality = named_localities["district_b"]
    locality.name = "Huyện Đồng Xuân"
    locality.save()
    stored = Locality.objects.values_list("search_text", flat=True).get(pk=locality.pk)
    assert stored == "db huyen dong xuan"


def test_department_list_search_ignores_marks(coordinator_client, world):
    DepartmentFactory(code="SCT", name="Sở Công Thương", short_name="SCT")
    response = coordinator_client.get(reverse("org:department-list"), {"q": "cong thuong"})
    assert _names(response) == ["Sở Công Thương"]


def test_locality_api_search_ignores_marks(client, world):
    _token, raw = issue_token(user=world["users"][Role.COORDINATOR])
    response = client.get(
        "/api/v1/localities", {"q": "THÀNH PHỐ"}, HTTP_AUTHORIZATION=f"Bearer {raw}"
    )
    assert response.status_code == 200
    assert [item["name"] for item in response.json()["items"]] == ["Thành phố Thử Nghiệm"]
