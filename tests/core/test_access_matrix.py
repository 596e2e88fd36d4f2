"""Every URL name and every API operation, for every role, against data that would leak.

The expectations below are written by hand, not derived from the access rules: the test must
fail when a rule is wrong. A URL name or API operation missing from the tables fails the test,
so a new endpoint cannot ship without deciding who may use it.
"""

import io

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from openpyxl import load_workbook

from tests.factories import ChainNodeFactory, IndustryFactory, UserFactory
from vanco.accounts.enums import Role
from vanco.accounts.models import User
from vanco.accounts.services import issue_token
from vanco.api.router import api

ROLES = [role.value for role in Role]
NO_ROLE = "no-role"
ANY = frozenset(ROLES)
COORDINATOR = frozenset({Role.COORDINATOR})
AUDIT = frozenset({Role.COORDINATOR, Role.AUDITOR})

# For each role: a user it may see, and one it must not (None: the role sees the whole city).
USER_SCOPE = {
    Role.LEADER: ("loc_b", None),
    Role.COORDINATOR: ("loc_b", None),
    Role.AUDITOR: ("dept_b", None),
    Role.DEPARTMENT: ("dept_a", "dept_b"),
    Role.LOCALITY: ("loc_ca", "loc_b"),
    Role.CADRE: ("cadre", "loc_b"),
    Role.ENTERPRISE: ("enterprise", "dept_a"),
    NO_ROLE: ("norole", "loc_b"),
}

# name: (method, target, roles allowed, status when allowed)
PAGES = {
    "home": ("get", None, ANY | {NO_ROLE}, 200),
    "accounts:profile": ("get", None, ANY | {NO_ROLE}, 200),
    "accounts:password-change": ("get", None, ANY | {NO_ROLE}, 200),
    "accounts:token-create": ("post", None, ANY | {NO_ROLE}, 200),
    "accounts:token-revoke": ("post", "token", ANY | {NO_ROLE}, 302),
    "accounts:user-list": ("get", None, ANY | {NO_ROLE}, 200),
    "accounts:user-create": ("get", None, COORDINATOR, 200),
    "accounts:user-detail": ("get", "user", ANY | {NO_ROLE}, 200),
    "accounts:user-edit": ("get", "user", COORDINATOR, 200),
    "accounts:user-toggle": ("post", "user", COORDINATOR, 302),
    "org:locality-list": ("get", None, ANY | {NO_ROLE}, 200),
    "org:locality-create": ("get", None, COORDINATOR, 200),
    "org:locality-detail": ("get", "locality", ANY, 200),
    "org:locality-edit": ("get", "locality", COORDINATOR, 200),
    "org:locality-toggle": ("post", "locality", COORDINATOR, 302),
    "org:department-list": ("get", None, ANY | {NO_ROLE}, 200),
    "org:department-create": ("get", None, COORDINATOR, 200),
    "org:department-detail": ("get", "department", ANY, 200),
    "org:department-edit": ("get", "department", COORDINATOR, 200),
    "org:department-toggle": ("post", "department", COORDINATOR, 302),
    "industries:industry-list": ("get", None, ANY | {NO_ROLE}, 200),
    "industries:industry-create": ("get", None, COORDINATOR, 200),
    "industries:industry-detail": ("get", "industry", ANY, 200),
    "industries:industry-edit": ("get", "industry", COORDINATOR, 200),
    "industries:industry-toggle": ("post", "industry", COORDINATOR, 302),
    "industries:node-list": ("get", None, ANY | {NO_ROLE}, 200),
    "industries:node-create": ("get", None, COORDINATOR, 200),
    "industries:node-detail": ("get", "node", ANY, 200),
    "industries:node-edit": ("get", "node", COORDINATOR, 200),
    "industries:node-toggle": ("post", "node", COORDINATOR, 302),
    "audit-log": ("get", None, AUDIT, 200),
}
# Pages open to everyone, signed in or not.
PUBLIC = {
    "login": 200,
    "healthz": 200,
    "set-language": 302,
    "logout": 302,
    "api:openapi-json": 200,
    "api:openapi-view": 200,
    "api:api-root": 404,
}

# operation: (target, roles allowed, status when allowed)
OPERATIONS = {
    "me": (None, ANY | {NO_ROLE}, 200),
    "list_users": (None, ANY | {NO_ROLE}, 200),
    "create_user": (None, COORDINATOR, 201),
    "get_user": ("user", ANY | {NO_ROLE}, 200),
    "update_user": ("user", COORDINATOR, 200),
    "list_localities": (None, ANY | {NO_ROLE}, 200),
    "create_locality": (None, COORDINATOR, 201),
    "get_locality": ("locality", ANY, 200),
    "update_locality": ("locality", COORDINATOR, 200),
    "list_departments": (None, ANY | {NO_ROLE}, 200),
    "create_department": (None, COORDINATOR, 201),
    "get_department": ("department", ANY, 200),
    "update_department": ("department", COORDINATOR, 200),
    "list_industries": (None, ANY | {NO_ROLE}, 200),
    "create_industry": (None, COORDINATOR, 201),
    "get_industry": ("industry", ANY, 200),
    "update_industry": ("industry", COORDINATOR, 200),
    "list_chain_nodes": (None, ANY | {NO_ROLE}, 200),
    "create_chain_node": (None, COORDINATOR, 201),
    "get_chain_node": ("node", ANY, 200),
    "update_chain_node": ("node", COORDINATOR, 200),
}


def _url_names(patterns, namespace=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = ":".join(filter(None, [namespace, pattern.namespace]))
            yield from _url_names(pattern.url_patterns, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield f"{namespace}:{pattern.name}" if namespace else pattern.name


def _operations():
    schema = api.get_openapi_schema()
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            yield path, method, operation["operationId"].rsplit("_api_", 1)[1]


def test_access_matrix_knows_every_url_name():
    names = set(_url_names(get_resolver().url_patterns))
    api_operations = {f"api:{name}" for _, _, name in _operations()}
    unknown = names - set(PAGES) - set(PUBLIC) - api_operations
    assert unknown == set()
    assert set(PAGES) | set(PUBLIC) <= names


def test_access_matrix_knows_every_api_operation():
    assert {name for _, _, name in _operations()} == set(OPERATIONS)


@pytest.fixture
def people(world):
    users = {role: world["users"][role] for role in ROLES}
    users[NO_ROLE] = UserFactory(username="norole")
    by_name = {user.username: user for user in User.objects.all()}
    return users, by_name


@pytest.fixture
def targets(world):
    industry = IndustryFactory()
    return {
        "locality": world["commune_b"],
        "department": world["dept_b"],
        "industry": industry,
        "node": ChainNodeFactory(industry=industry),
    }


def _target_pk(kind, role, people_by_name, users, in_scope: bool, targets):
    if kind == "user":
        username = USER_SCOPE[role][0 if in_scope else 1]
        return None if username is None else people_by_name[username].pk
    if kind == "token":
        owner = users[role] if in_scope else _someone_else(role, users)
        if owner is None:
            return None
        token, _ = issue_token(user=owner, name="matrix")
        return token.pk
    if kind in targets:
        return targets[kind].pk if in_scope else None
    raise AssertionError(kind)


def _someone_else(role, users):
    if role == Role.COORDINATOR:
        return None  # coordinators may revoke anybody's token
    return users[Role.COORDINATOR]


# Valid bodies, so that the status shows the access decision and not a validation error.
POST_DATA = {"accounts:token-create": {"name": "matrix"}}


def _request(client, method, url, name=""):
    return client.post(url, POST_DATA.get(name, {})) if method == "post" else client.get(url)


@pytest.mark.django_db
@pytest.mark.parametrize("role", [*ROLES, NO_ROLE])
def test_pages_follow_access_matrix(client, people, targets, role):
    users, by_name = people
    client.force_login(users[role])
    failures = []
    for name, (method, kind, allowed, ok_status) in PAGES.items():
        for in_scope in (True, False):
            if kind is None and not in_scope:
                continue
            if kind is None:
                url = reverse(name)
            else:
                pk = _target_pk(kind, role, by_name, users, in_scope, targets)
                if pk is None:
                    continue
                url = reverse(name, args=[pk])
            if kind in targets and role == NO_ROLE:
                expected = 404  # reference data does not exist for an account without a role
            elif not in_scope:
                expected = 404
            else:
                expected = ok_status if role in allowed else 403
            status = _request(client, method, url, name).status_code
            if status != expected:
                failures.append(
                    f"{name} {'in' if in_scope else 'out of'} scope: {status} != {expected}"
                )
    assert failures == []


@pytest.mark.django_db
def test_pages_redirect_anonymous_to_login(client, targets, world):
    for name, (method, kind, _allowed, _status) in PAGES.items():
        pk = targets[kind].pk if kind in targets else world["users"][Role.CADRE].pk
        url = reverse(name, args=[pk] if kind else [])
        response = _request(client, method, url)
        assert response.status_code == 302, name
        assert response.url.startswith(reverse("login")), name


@pytest.mark.django_db
def test_public_pages_answer_everyone(client):
    for name, expected in PUBLIC.items():
        method = "post" if name in {"set-language", "logout"} else "get"
        assert _request(client, method, reverse(name)).status_code == expected, name


@pytest.mark.django_db
@pytest.mark.parametrize("role", [*ROLES, NO_ROLE])
def test_user_list_search_and_export_never_leak(client, people, role):
    users, _by_name = people
    client.force_login(users[role])
    visible, hidden = USER_SCOPE[role]
    page = client.get(reverse("accounts:user-list")).content.decode()
    assert f">{visible}<" in page
    workbook = load_workbook(
        io.BytesIO(client.get(reverse("accounts:user-list") + "?export=xlsx").getvalue()),
        read_only=True,
    )
    exported = {row[1] for row in workbook.active.iter_rows(min_row=2, values_only=True)}
    assert visible in exported
    if hidden is not None:
        assert f">{hidden}<" not in page
        assert hidden not in exported
        searched = client.get(reverse("accounts:user-list") + f"?q={hidden}").content.decode()
        assert f">{hidden}<" not in searched


def _api(client, method, url, token, payload=None):
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
    if method == "get":
        return client.get(url, **headers)
    return getattr(client, method)(
        url, data=payload or {}, content_type="application/json", **headers
    )


def _payload(operation, role, world, obj):
    suffix = role.upper().replace("-", "")
    payloads = {
        "create_user": {
            "username": f"new_{role}",
            "full_name": "Trần Thị Mai",
            "password": "a-long-enough-password-1",
            "roles": [{"role": "cadre"}],
        },
        "create_locality": {
            "code": f"NEW-{suffix}",
            "name": "Phường Mới",
            "kind": "commune",
            "parent_id": world["district_a"].pk,
        },
        "create_department": {"code": f"S{suffix}", "name": f"Sở Mới {suffix}"},
        "create_industry": {"code": f"I{suffix}", "name": f"Ngành Mới {suffix}"},
        "create_chain_node": {
            "industry_id": obj["industry"].pk,
            "code": f"N{suffix}",
            "name": "Mắt xích mới",
            "segment": "upstream",
        },
    }
    return payloads.get(operation, {})


@pytest.mark.django_db
@pytest.mark.parametrize("role", [*ROLES, NO_ROLE])
def test_api_follows_access_matrix(client, people, targets, world, role):
    users, by_name = people
    _, token = issue_token(user=users[role], name="matrix")
    failures = []
    for path, method, operation in _operations():
        kind, allowed, ok_status = OPERATIONS[operation]
        for in_scope in (True, False):
            if kind is None and not in_scope:
                continue
            url = path
            payload = _payload(operation, role, world, targets)
            if kind is not None:
                pk = _target_pk(kind, role, by_name, users, in_scope, targets)
                if pk is None:
                    continue
                url = path.replace("{" + path.rsplit("{", 1)[1].rstrip("}") + "}", str(pk))
                model = {"user": User, **{k: type(v) for k, v in targets.items()}}[kind]
                if method == "patch":
                    payload = {"version": model.objects.get(pk=pk).version}
            if (kind in targets and role == NO_ROLE) or not in_scope:
                expected = 404
            else:
                expected = ok_status if role in allowed else 403
            response = _api(client, method, url, token, payload)
            if response.status_code != expected:
                failures.append(
                    f"{method.upper()} {url} {'in' if in_scope else 'out of'} scope: "
                    f"{response.status_code} != {expected} {response.content[:200]!r}"
                )
            elif response.status_code >= 400:
                assert set(response.json()["error"]) == {"code", "message", "fields"}
    assert failures == []


@pytest.mark.django_db
def test_api_refuses_anonymous_and_bad_tokens(client, targets):
    for path, method, _operation in _operations():
        url = path.split("{")[0] + str(targets["industry"].pk) if "{" in path else path
        for token in (None, "vnc_not-a-real-token"):
            response = _api(client, method, url, token, {})
            assert response.status_code == 401, f"{method} {url}"
            assert response.json()["error"]["code"] == "unauthenticated"


@pytest.mark.django_db
@pytest.mark.parametrize("role", [*ROLES, NO_ROLE])
def test_api_user_list_never_leaks(client, people, role):
    users, _by_name = people
    _, token = issue_token(user=users[role], name="matrix")
    visible, hidden = USER_SCOPE[role]
    response = _api(client, "get", "/api/v1/users?limit=200", token)
    names = {item["username"] for item in response.json()["items"]}
    assert visible in names
    assert response.json()["count"] == len(names)
    if hidden is not None:
        assert hidden not in names
