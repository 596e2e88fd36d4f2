"""The ninja API: bearer auth, pagination, filters, writes through the forms, one error format."""

import re

import pytest
from django.conf import settings
from django.test import Client
from django.utils import translation
from django.utils.translation import gettext as _

from tests.factories import ChainNodeFactory, IndustryFactory
from vanco.accounts.enums import Role
from vanco.accounts.models import RoleAssignment, User
from vanco.accounts.services import issue_token
from vanco.core.tree import path_segment
from vanco.org.enums import LocalityKind
from vanco.org.models import Department, Locality

MAX_LIMIT = 200  # NINJA_PAGINATION_MAX_LIMIT


def tree_path(*nodes) -> str:
    """The materialised path of the last node, through its ancestors (zero-padded ids)."""
    return "/" + "".join(path_segment(node.pk) for node in nodes)


def translated(msgid: str, language: str) -> str:
    with translation.override(language):
        return translation.gettext(msgid)


class Api:
    """A bearer-token client: no session, so only the token authenticates."""

    def __init__(self, user, language="en"):
        self.client = Client()
        _token, self.raw = issue_token(user=user)
        self.language = language

    def _headers(self, language=None):
        return {
            "HTTP_AUTHORIZATION": f"Bearer {self.raw}",
            "HTTP_ACCEPT_LANGUAGE": language or self.language,
        }

    def get(self, url, params=None, language=None):
        return self.client.get(url, params or {}, **self._headers(language))

    def post(self, url, payload, language=None):
        return self.client.post(
            url, data=payload, content_type="application/json", **self._headers(language)
        )

    def patch(self, url, payload, language=None):
        return self.client.patch(
            url, data=payload, content_type="application/json", **self._headers(language)
        )


@pytest.fixture
def api(coordinator):
    return Api(coordinator)


def assert_error_shape(response, status: int, code: str) -> dict:
    assert response.status_code == status
    body = response.json()
    assert list(body) == ["error"]
    assert sorted(body["error"]) == ["code", "fields", "message"]
    assert body["error"]["code"] == code
    assert isinstance(body["error"]["message"], str)
    assert body["error"]["message"] != ""
    assert isinstance(body["error"]["fields"], dict)
    return body["error"]


def codes(response) -> list[str]:
    return [item["code"] for item in response.json()["items"]]


# --- Pagination --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_api_pagination_limit_offset_and_count(world, api):
    expected = list(Locality.objects.order_by("path").values_list("code", flat=True))

    response = api.get("/api/v1/localities", {"limit": 2, "offset": 1})

    assert response.status_code == 200
    assert response.json()["count"] == 5
    assert codes(response) == expected[1:3]


@pytest.mark.django_db
def test_api_pagination_offset_past_the_end(world, api):
    response = api.get("/api/v1/localities", {"limit": 2, "offset": 50})

    assert response.json() == {"items": [], "count": 5}


@pytest.mark.django_db
def test_api_pagination_default_limit(world, api):
    Locality.objects.bulk_create(
        Locality(
            code=f"P{n:03d}",
            name=f"Phường {n}",
            kind=LocalityKind.COMMUNE,
            parent=world["district_a"],
        )
        for n in range(settings.VANCO_PAGE_SIZE + 5)
    )

    response = api.get("/api/v1/localities")

    body = response.json()
    assert body["count"] == settings.VANCO_PAGE_SIZE + 10
    assert len(body["items"]) == settings.VANCO_PAGE_SIZE


@pytest.mark.django_db
def test_api_pagination_limit_at_max_is_accepted(world, api):
    response = api.get("/api/v1/localities", {"limit": MAX_LIMIT})

    assert response.status_code == 200
    assert len(response.json()["items"]) == 5


@pytest.mark.django_db
def test_api_pagination_limit_above_max_is_refused(world, api):
    response = api.get("/api/v1/localities", {"limit": MAX_LIMIT + 1})

    error = assert_error_shape(response, 422, "invalid")
    assert list(error["fields"]) == ["limit"]
    assert error["message"] == "The request has invalid values."


@pytest.mark.django_db
def test_api_pagination_negative_offset_is_refused(world, api):
    response = api.get("/api/v1/users", {"offset": -1})

    error = assert_error_shape(response, 422, "invalid")
    assert list(error["fields"]) == ["offset"]


@pytest.mark.django_db
def test_api_pagination_offset_past_any_integer_is_refused(world, api):
    response = api.get("/api/v1/users", {"offset": 10**20})

    error = assert_error_shape(response, 422, "invalid")
    assert list(error["fields"]) == ["offset"]


# --- Filters -----------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("term", ["dong ha", "ĐÔNG HÀ", "Đông Hà", "đong"])
def test_api_locality_search_ignores_diacritics(world, api, term):
    response = api.get("/api/v1/localities", {"q": term})

    assert codes(response) == ["DA-1"]
    assert response.json()["count"] == 1


@pytest.mark.django_db
def test_api_locality_filter_by_kind(world, api):
    response = api.get("/api/v1/localities", {"kind": "commune"})

    assert sorted(codes(response)) == ["DA-1", "DB-1"]


@pytest.mark.django_db
def test_api_locality_filter_within_subtree(world, api):
    response = api.get("/api/v1/localities", {"within": world["district_b"].pk})

    assert codes(response) == ["DB", "DB-1"]


@pytest.mark.django_db
def test_api_locality_filter_within_unknown_is_404(world, api):
    response = api.get("/api/v1/localities", {"within": 987654})

    assert_error_shape(response, 404, "not_found")


@pytest.mark.django_db
def test_api_locality_filter_active(world, api):
    commune = world["commune_b"]
    commune.is_active = False
    commune.save()

    inactive = api.get("/api/v1/localities", {"active": "false"})
    active = api.get("/api/v1/localities", {"active": "true"})

    assert codes(inactive) == ["DB-1"]
    assert sorted(codes(active)) == ["CITY", "DA", "DA-1", "DB"]


@pytest.mark.django_db
def test_api_locality_filters_combine(world, api):
    response = api.get(
        "/api/v1/localities", {"within": world["city"].pk, "kind": "commune", "q": "tay son"}
    )

    assert codes(response) == ["DB-1"]


@pytest.mark.django_db
def test_api_user_list_filters_by_role_and_search(world, api):
    by_role = api.get("/api/v1/users", {"role": Role.LOCALITY})
    searched = api.get("/api/v1/users", {"q": "loc_ca"})

    assert sorted(user["username"] for user in by_role.json()["items"]) == [
        "loc_a",
        "loc_b",
        "loc_ca",
    ]
    assert [user["username"] for user in searched.json()["items"]] == ["loc_ca"]


# --- Writes ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_api_create_locality(world, api):
    response = api.post(
        "/api/v1/localities",
        {
            "code": "da-9",
            "name": "Phường Chín",
            "kind": "commune",
            "parent_id": world["district_a"].pk,
        },
    )

    assert response.status_code == 201
    created = Locality.objects.get(code="DA-9")
    assert response.json() == {
        "id": created.pk,
        "code": "DA-9",
        "name": "Phường Chín",
        "kind": "commune",
        "parent_id": world["district_a"].pk,
        "depth": 2,
        "is_active": True,
        "version": 1,
    }


@pytest.mark.django_db
def test_api_create_with_invalid_value_names_the_field(world, api):
    response = api.post(
        "/api/v1/localities",
        {
            "code": "X 1",
            "name": "Xã Sai Mã",
            "kind": "commune",
            "parent_id": world["district_a"].pk,
        },
    )

    error = assert_error_shape(response, 422, "invalid")
    assert list(error["fields"]) == ["code"]
    assert not Locality.objects.filter(name="Xã Sai Mã").exists()


@pytest.mark.django_db
def test_api_create_with_rule_violation_names_the_field(world, api):
    response = api.post(
        "/api/v1/localities",
        {"code": "TX1", "name": "Thị xã Lạc", "kind": "town", "parent_id": world["district_a"].pk},
    )

    error = assert_error_shape(response, 422, "invalid")
    assert list(error["fields"]) == ["parent"]
    [message] = error["fields"]["parent"]
    assert "Town" in message
    assert "Urban district" in message
    assert not Locality.objects.filter(code="TX1").exists()


@pytest.mark.django_db
def test_api_create_with_unknown_kind_names_the_field(world, api):
    response = api.post(
        "/api/v1/localities",
        {"code": "X2", "name": "Khu Lạ", "kind": "galaxy", "parent_id": world["city"].pk},
    )

    error = assert_error_shape(response, 422, "invalid")
    assert list(error["fields"]) == ["kind"]


@pytest.mark.django_db
def test_api_create_duplicate_code_names_the_field(world, api):
    response = api.post("/api/v1/departments", {"code": "sxd", "name": "Sở Xây dựng 2"})

    error = assert_error_shape(response, 422, "invalid")
    assert list(error["fields"]) == ["code"]


@pytest.mark.django_db
def test_api_create_missing_field_names_the_field(world, api):
    response = api.post("/api/v1/departments", {"code": "SNV"})

    error = assert_error_shape(response, 422, "invalid")
    # The same key a form error would use: the field's name, nothing around it.
    assert list(error["fields"]) == ["name"]
    assert not Department.objects.filter(code="SNV").exists()


@pytest.mark.django_db
def test_api_patch_keeps_other_fields(world, api):
    department = world["dept_a"]
    department.email = "skhdt@example.org"
    department.short_name = "KH&ĐT"
    department.save()

    response = api.patch(
        f"/api/v1/departments/{department.pk}", {"version": 1, "phone": "0225 3842 111"}
    )

    assert response.status_code == 200
    assert response.json() == {
        "id": department.pk,
        "code": "SKHDT",
        "name": "Sở Kế hoạch và Đầu tư",
        "short_name": "KH&ĐT",
        "email": "skhdt@example.org",
        "phone": "0225 3842 111",
        "is_active": True,
        "version": 2,
    }
    department.refresh_from_db()
    assert (department.email, department.phone, department.version) == (
        "skhdt@example.org",
        "0225 3842 111",
        2,
    )


@pytest.mark.django_db
def test_api_patch_locality_keeps_parent_and_kind(world, api):
    commune = world["commune_a"]

    response = api.patch(f"/api/v1/localities/{commune.pk}", {"version": 1, "name": "Phường Mới"})

    assert response.status_code == 200
    commune.refresh_from_db()
    assert (commune.name, commune.kind, commune.parent_id, commune.code) == (
        "Phường Mới",
        LocalityKind.COMMUNE,
        world["district_a"].pk,
        "DA-1",
    )


@pytest.mark.django_db
def test_api_patch_user_keeps_roles_when_not_sent(world, api):
    officer = world["users"][Role.LOCALITY]

    response = api.patch(f"/api/v1/users/{officer.pk}", {"version": 1, "title": "Phó phòng"})

    assert response.status_code == 200
    assert response.json()["roles"] == [
        {
            "role": Role.LOCALITY,
            "locality_id": world["district_a"].pk,
            "department_id": None,
            "enterprise_tax_code": "",
        }
    ]
    officer.refresh_from_db()
    assert (officer.title, officer.full_name, officer.version) == (
        "Phó phòng",
        officer.full_name,
        2,
    )


@pytest.mark.django_db
def test_api_patch_chain_node_parent_null_moves_it_to_the_top(world, api):
    industry = IndustryFactory(code="DT", name="Điện tử")
    top = ChainNodeFactory(industry=industry, code="CHIP")
    child = ChainNodeFactory(industry=industry, code="WAFER", parent=top)

    response = api.patch(f"/api/v1/chain-nodes/{child.pk}", {"version": 1, "parent_id": None})

    assert response.status_code == 200
    assert (response.json()["parent_id"], response.json()["depth"]) == (None, 0)
    child.refresh_from_db()
    assert (child.parent_id, child.path, child.depth) == (None, tree_path(child), 0)


@pytest.mark.django_db
def test_api_patch_can_clear_a_text_field(world, api):
    department = world["dept_a"]
    department.email = "skhdt@example.org"
    department.save()

    response = api.patch(f"/api/v1/departments/{department.pk}", {"version": 1, "email": ""})

    assert response.status_code == 200
    department.refresh_from_db()
    assert department.email == ""


@pytest.mark.django_db
def test_api_create_user_with_roles(world, api):
    response = api.post(
        "/api/v1/users",
        {
            "username": "tranlan",
            "full_name": "Trần Thị Lan",
            "password": "mật-khẩu-đủ-dài-2026",
            "roles": [
                {"role": "locality", "locality_id": world["district_b"].pk},
                {"role": "department", "department_id": world["dept_a"].pk},
                {"role": "cadre"},
            ],
        },
    )

    assert response.status_code == 201
    user = User.objects.get(username="tranlan")
    assert set(
        RoleAssignment.objects.filter(user=user).values_list(
            "role", "locality_id", "department_id", "enterprise_tax_code"
        )
    ) == {
        (Role.LOCALITY, world["district_b"].pk, None, ""),
        (Role.DEPARTMENT, None, world["dept_a"].pk, ""),
        (Role.CADRE, None, None, ""),
    }
    body = response.json()
    assert (body["id"], body["username"], body["version"], len(body["roles"])) == (
        user.pk,
        "tranlan",
        1,
        3,
    )
    assert user.check_password("mật-khẩu-đủ-dài-2026")


@pytest.mark.django_db
def test_api_create_user_invalid_role_scope_names_the_row(world, api):
    response = api.post(
        "/api/v1/users",
        {
            "username": "tranlan",
            "full_name": "Trần Thị Lan",
            "password": "mật-khẩu-đủ-dài-2026",
            "roles": [{"role": "locality"}],
        },
    )

    error = assert_error_shape(response, 422, "invalid")
    assert error["fields"] == {"roles.0.locality": ["A locality officer needs a locality."]}
    assert not User.objects.filter(username="tranlan").exists()


@pytest.mark.django_db
def test_api_create_user_second_row_error_names_its_index(world, api):
    response = api.post(
        "/api/v1/users",
        {
            "username": "tranlan",
            "full_name": "Trần Thị Lan",
            "password": "mật-khẩu-đủ-dài-2026",
            "roles": [{"role": "cadre"}, {"role": "department"}],
        },
    )

    error = assert_error_shape(response, 422, "invalid")
    assert error["fields"] == {"roles.1.department": ["A department officer needs a department."]}


@pytest.mark.django_db
def test_api_create_user_without_roles_refused(world, api):
    response = api.post(
        "/api/v1/users",
        {
            "username": "tranlan",
            "full_name": "Trần Thị Lan",
            "password": "mật-khẩu-đủ-dài-2026",
            "roles": [],
        },
    )

    error = assert_error_shape(response, 422, "invalid")
    assert error["fields"] == {"roles": ["Give the user at least one role."]}
    assert not User.objects.filter(username="tranlan").exists()


@pytest.mark.django_db
def test_api_create_user_refused_for_locality_officer(world):
    api = Api(world["users"][Role.LOCALITY])

    response = api.post(
        "/api/v1/users",
        {
            "username": "tranlan",
            "full_name": "Trần Thị Lan",
            "password": "mật-khẩu-đủ-dài-2026",
            "roles": [{"role": "cadre"}],
        },
    )

    assert_error_shape(response, 403, "forbidden")
    assert not User.objects.filter(username="tranlan").exists()


# --- Error body everywhere ---------------------------------------------------------------------


@pytest.mark.django_db
def test_api_error_unauthenticated(world):
    response = Client().get("/api/v1/localities", HTTP_ACCEPT_LANGUAGE="en")

    error = assert_error_shape(response, 401, "unauthenticated")
    assert error["message"] == "Log in or send a valid API token."


@pytest.mark.django_db
def test_api_error_bad_token(world):
    response = Client().get(
        "/api/v1/localities", HTTP_AUTHORIZATION="Bearer vnc_not-a-token", HTTP_ACCEPT_LANGUAGE="en"
    )

    assert_error_shape(response, 401, "unauthenticated")


@pytest.mark.django_db
def test_api_error_not_found(world, api):
    error = assert_error_shape(api.get("/api/v1/localities/987654"), 404, "not_found")

    assert error == {"code": "not_found", "message": "Not found.", "fields": {}}


@pytest.mark.django_db
def test_api_error_forbidden(world):
    api = Api(world["users"][Role.LOCALITY])

    response = api.patch(f"/api/v1/departments/{world['dept_a'].pk}", {"version": 1, "name": "X"})

    error = assert_error_shape(response, 403, "forbidden")
    assert error["message"] == "You are not allowed to do this."


@pytest.mark.django_db
def test_api_error_out_of_scope_user_is_404(world):
    api = Api(world["users"][Role.LOCALITY])

    response = api.get(f"/api/v1/users/{world['others']['loc_b'].pk}")

    assert_error_shape(response, 404, "not_found")


@pytest.mark.django_db
def test_api_error_malformed_json(world, api):
    response = api.client.post(
        "/api/v1/departments",
        data="{not json",
        content_type="application/json",
        **api._headers("vi"),
    )

    # An unparsable body is a 400 in the one error shape, with a message in the user's language.
    error = assert_error_shape(response, 400, "bad_request")
    with translation.override("vi"):
        assert error["message"] == str(_("The request body is not valid JSON."))


# --- Language ----------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["en", "vi", "zh-hans"])
def test_api_messages_follow_accept_language(world, api, language):
    response = api.get("/api/v1/localities/987654", language=language)

    assert response["Content-Language"] == language
    assert response.json()["error"]["message"] == translated("Not found.", language)


@pytest.mark.django_db
def test_api_vietnamese_message_is_translated(world, api):
    """The vi catalogue is compiled: the Vietnamese message is not the English msgid."""
    response = api.get("/api/v1/localities/987654", language="vi")

    assert response.json()["error"]["message"] != "Not found."


@pytest.mark.django_db
def test_api_field_messages_follow_accept_language(world, api):
    payload = {"username": "x1", "full_name": "X", "password": "mật-khẩu-đủ-dài-2026"}
    payload["roles"] = [{"role": "locality"}]

    response = api.post("/api/v1/users", payload, language="vi")

    assert response.json()["error"]["fields"] == {
        "roles.0.locality": [translated("A locality officer needs a locality.", "vi")]
    }


@pytest.mark.django_db
def test_api_without_accept_language_uses_token_users_language(world):
    """The API description promises the token user's language when no Accept-Language is sent."""
    officer = world["users"][Role.LOCALITY]
    officer.language = "en"
    officer.save()
    _token, raw = issue_token(user=officer)

    response = Client().get("/api/v1/localities/987654", HTTP_AUTHORIZATION=f"Bearer {raw}")

    assert response.json()["error"]["message"] == "Not found."
    assert response["Content-Language"] == "en"


# --- OpenAPI and docs ----------------------------------------------------------------------


@pytest.mark.django_db
def test_api_openapi_is_3_1_with_bearer_security(client):
    response = client.get("/api/v1/openapi.json")

    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.1")
    schemes = schema["components"]["securitySchemes"]
    bearer = [scheme for scheme in schemes.values() if scheme.get("scheme") == "bearer"]
    assert bearer == [{"type": "http", "scheme": "bearer"}]
    operation = schema["paths"]["/api/v1/localities"]["get"]
    bearer_names = {name for name, scheme in schemes.items() if scheme.get("scheme") == "bearer"}
    assert any(set(requirement) & bearer_names for requirement in operation["security"])


@pytest.mark.django_db
def test_api_openapi_lists_pagination_parameters(client):
    schema = client.get("/api/v1/openapi.json").json()

    parameters = {
        parameter["name"]: parameter
        for parameter in schema["paths"]["/api/v1/localities"]["get"]["parameters"]
    }
    assert {"limit", "offset", "q", "kind", "within", "active"} <= set(parameters)
    assert parameters["limit"]["schema"]["maximum"] == MAX_LIMIT


@pytest.mark.django_db
def test_api_docs_use_only_local_assets(client):
    response = client.get("/api/v1/docs")

    assert response.status_code == 200
    html = response.content.decode()
    references = re.findall(r"""(?:src|href)\s*=\s*["']([^"']*)["']""", html)
    assert references, "the docs page loads its UI from somewhere"
    external = [ref for ref in references if re.match(r"^(?:https?:)?//", ref)]
    assert external == []
    assert "cdn.jsdelivr" not in html
    assert "unpkg.com" not in html
