"""The number of SQL queries of a page or API call does not grow with the data.

Each case measures one page with a small data set, then adds roughly ten times as many rows of
every kind the page could touch (localities, users with role assignments, departments,
industries, chain nodes, audit entries, API tokens) and measures again: the counts must be equal.
A page that runs one query per row fails here, whatever its small-data count is.
"""

import pytest
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import ChainNodeFactory, IndustryFactory, RoleAssignmentFactory
from vanco.accounts.enums import Role
from vanco.accounts.models import ApiToken, RoleAssignment, User, hash_token
from vanco.accounts.services import issue_token
from vanco.core.tree import path_segment
from vanco.industries.enums import ChainSegment
from vanco.industries.models import ChainNode, Industry
from vanco.org.enums import LocalityKind
from vanco.org.models import Department, Locality

GROWTH = 10


@pytest.fixture
def data(world):
    """The small data set: the world plus one industry with a short chain and a few tokens."""
    industry = IndustryFactory(code="DT", name="Điện tử")
    root = ChainNodeFactory(industry=industry, code="CHIP", segment=ChainSegment.UPSTREAM)
    ChainNodeFactory(industry=industry, code="WAFER", parent=root, is_key=True)
    ChainNodeFactory(industry=industry, code="PCB", parent=root, segment=ChainSegment.DOWNSTREAM)
    subject = world["others"]["loc_commune_a"]
    RoleAssignmentFactory(user=subject, role=Role.CADRE)
    for user in (world["users"][Role.COORDINATOR], world["users"][Role.LOCALITY], subject):
        issue_token(user=user, name="script")
    return {**world, "industry": industry, "root": root, "subject": subject}


def _with_paths(model, objects, parent):
    for obj in objects:
        obj.path = f"{parent.path}{path_segment(obj.pk)}"
        obj.depth = parent.depth + 1
    model.objects.bulk_update(objects, ["path", "depth"])


def grow(data, factor: int = GROWTH) -> None:
    """Add about `factor` times the rows of every kind, in bulk."""
    n = 6 * factor
    district = data["district_a"]
    communes = Locality.objects.bulk_create(
        Locality(
            code=f"G-{i:04d}",
            name=f"Phường Mở Rộng {i}",
            kind=LocalityKind.COMMUNE,
            parent=district,
            search_text=f"phuong mo rong {i}",
        )
        for i in range(n)
    )
    _with_paths(Locality, communes, district)
    parks = Locality.objects.bulk_create(
        Locality(
            code=f"GP-{i:04d}",
            name=f"KCN Mở Rộng {i}",
            kind=LocalityKind.INDUSTRIAL_PARK,
            parent=data["city"],
        )
        for i in range(n // 2)
    )
    _with_paths(Locality, parks, data["city"])

    departments = Department.objects.bulk_create(
        Department(code=f"GD-{i:03d}", name=f"Sở Mở Rộng {i}", short_name=f"SMR{i}")
        for i in range(2 * factor)
    )
    Industry.objects.bulk_create(
        Industry(code=f"GI-{i:03d}", name=f"Ngành Mở Rộng {i}", sort_order=i + 1)
        for i in range(2 * factor)
    )
    root = data["root"]
    nodes = ChainNode.objects.bulk_create(
        ChainNode(
            industry=data["industry"],
            parent=root,
            code=f"GN-{i:03d}",
            name=f"Mắt xích mở rộng {i}",
            segment=list(ChainSegment)[i % 3],
            is_key=i % 4 == 0,
        )
        for i in range(n)
    )
    _with_paths(ChainNode, nodes, root)

    users = User.objects.bulk_create(
        User(
            username=f"grow{i:04d}",
            full_name=f"Phạm Văn Mở Rộng {i}",
            password="!",
            search_text=f"grow{i:04d} pham van mo rong {i}",
        )
        for i in range(10 * factor)
    )
    assignments = []
    for i, user in enumerate(users):
        if i % 3 == 0:
            assignments.append(
                RoleAssignment(user=user, role=Role.LOCALITY, locality=communes[i % len(communes)])
            )
            assignments.append(RoleAssignment(user=user, role=Role.CADRE))
        elif i % 3 == 1:
            assignments.append(
                RoleAssignment(user=user, role=Role.DEPARTMENT, department=data["dept_a"])
            )
            assignments.append(
                RoleAssignment(
                    user=user, role=Role.DEPARTMENT, department=departments[i % len(departments)]
                )
            )
        else:
            assignments.append(
                RoleAssignment(user=user, role=Role.LOCALITY, locality=data["commune_a"])
            )
    RoleAssignment.objects.bulk_create(assignments)

    tokens = []
    for user in (data["users"][Role.COORDINATOR], data["users"][Role.LOCALITY], data["subject"]):
        for i in range(factor):
            raw = f"vnc_grow-{user.pk}-{i}"
            tokens.append(
                ApiToken(user=user, name=f"t{i}", key_prefix=raw[:12], key_hash=hash_token(raw))
            )
    ApiToken.objects.bulk_create(tokens)

    locality_type = ContentType.objects.get_for_model(Locality)
    user_type = ContentType.objects.get_for_model(User)
    LogEntry.objects.bulk_create(
        LogEntry(
            content_type=locality_type if i % 2 else user_type,
            object_pk=str(communes[i % len(communes)].pk),
            object_id=communes[i % len(communes)].pk,
            object_repr=f"Phường Mở Rộng {i}",
            action=LogEntry.Action.UPDATE,
            changes={"name": ["Cũ", f"Mới {i}"]},
            changes_text="",
            actor=users[i % len(users)],
            remote_addr="127.0.0.1",
        )
        for i in range(10 * factor)
    )


# --- Web pages -------------------------------------------------------------------------------

COORDINATOR = "coordinator"
LOCALITY = "locality officer"
BOTH = (COORDINATOR, LOCALITY)


def _detail(name, key):
    return lambda data: reverse(name, args=[data[key].pk])


# page: (url maker, roles that may open it)
PAGES = {
    "home": (lambda data: reverse("home"), BOTH),
    "profile": (lambda data: reverse("accounts:profile"), BOTH),
    "locality list": (lambda data: reverse("org:locality-list"), BOTH),
    "locality list htmx": (lambda data: reverse("org:locality-list") + "?htmx", BOTH),
    "locality list export": (lambda data: reverse("org:locality-list") + "?export=xlsx", BOTH),
    "locality list searched": (lambda data: reverse("org:locality-list") + "?q=phuong", BOTH),
    "locality detail": (_detail("org:locality-detail", "district_a"), BOTH),
    "department list": (lambda data: reverse("org:department-list"), BOTH),
    "department detail": (_detail("org:department-detail", "dept_a"), BOTH),
    "industry list": (lambda data: reverse("industries:industry-list"), BOTH),
    "industry detail": (_detail("industries:industry-detail", "industry"), BOTH),
    "chain node list": (lambda data: reverse("industries:node-list"), BOTH),
    "chain node detail": (_detail("industries:node-detail", "root"), BOTH),
    "user list": (lambda data: reverse("accounts:user-list"), BOTH),
    "user list export": (lambda data: reverse("accounts:user-list") + "?export=xlsx", BOTH),
    "user detail": (_detail("accounts:user-detail", "subject"), BOTH),
    "audit log": (lambda data: reverse("audit-log"), (COORDINATOR,)),
    "audit log export": (lambda data: reverse("audit-log") + "?export=xlsx", (COORDINATOR,)),
    # The audit log page shows the list search box too (it extends core/list.html).
    "audit log searched": (lambda data: reverse("audit-log") + "?q=phuong", (COORDINATOR,)),
}

# Not called "page": pytest-playwright would take that for its browser page fixture.
CASES = [(name, role) for name, (_url, roles) in PAGES.items() for role in roles]


def _viewer(data, role):
    return data["users"][Role.COORDINATOR if role == COORDINATOR else Role.LOCALITY]


def _measure(client, url, **headers) -> tuple[int, list[str]]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, **headers)
        if hasattr(response, "streaming_content"):
            b"".join(response.streaming_content)
    assert response.status_code == 200, url
    return len(queries), [query["sql"] for query in queries.captured_queries]


def _explain(small: list[str], large: list[str]) -> str:
    lines = [f"{len(small)} queries with little data, {len(large)} with ten times more:"]
    lines += [f"  {sql[:160]}" for sql in large]
    return "\n".join(lines)


@pytest.mark.django_db
@pytest.mark.parametrize(("page_name", "role"), CASES, ids=[f"{p} as {r}" for p, r in CASES])
def test_page_query_count_does_not_grow_with_data(data, page_name, role):
    make_url, _roles = PAGES[page_name]
    url = make_url(data)
    headers = {}
    if url.endswith("?htmx"):
        url = url.removesuffix("?htmx")
        headers = {"headers": {"HX-Request": "true", "HX-Target": "list-results"}}
    client = Client()
    client.force_login(_viewer(data, role))
    client.get(url, **headers)  # warm-up: content types, translations, template caches

    small, small_sql = _measure(client, url, **headers)
    grow(data)
    large, large_sql = _measure(client, url, **headers)

    assert large == small, _explain(small_sql, large_sql)


@pytest.mark.django_db
def test_grow_adds_rows_the_pages_show(data, coordinator_client):
    """The growth is visible to the pages measured above (else the test proves nothing)."""
    officer = Client()
    officer.force_login(data["users"][Role.LOCALITY])
    before = officer.get(reverse("accounts:user-list")).context["paginator"].count

    grow(data)

    after = officer.get(reverse("accounts:user-list")).context["paginator"].count
    # Of the 100 new people, 67 hold a locality role inside district A's subtree (the two
    # officers of district A and the roster's one paired official were there before).
    assert (before, after) == (3, 3 + 67)
    assert (
        coordinator_client.get(
            reverse("org:locality-detail", args=[data["district_a"].pk])
        ).context["children_count"]
        == 1 + 60
    )
    response = coordinator_client.get(
        reverse("industries:industry-detail", args=[data["industry"].pk])
    )
    assert response.context["node_total"] == 3 + 60
    assert LogEntry.objects.count() >= 100
    assert coordinator_client.get(reverse("audit-log")).context["paginator"].count >= 100


# --- API list endpoints --------------------------------------------------------------------

API_URLS = {
    "localities": lambda data: "/api/v1/localities",
    "localities within": lambda data: f"/api/v1/localities?within={data['district_a'].pk}",
    "locality": lambda data: f"/api/v1/localities/{data['district_a'].pk}",
    "departments": lambda data: "/api/v1/departments",
    "industries": lambda data: "/api/v1/industries",
    "chain nodes": lambda data: f"/api/v1/chain-nodes?industry={data['industry'].pk}",
    "users": lambda data: "/api/v1/users?limit=100",
    "user": lambda data: f"/api/v1/users/{data['subject'].pk}",
    "me": lambda data: "/api/v1/me",
}

API_CASES = [(name, role) for name in API_URLS for role in BOTH]


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "role"), API_CASES, ids=[f"{n} as {r}" for n, r in API_CASES])
def test_api_query_count_does_not_grow_with_data(data, name, role):
    url = API_URLS[name](data)
    _token, raw = issue_token(user=_viewer(data, role))
    client = Client()
    headers = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    client.get(url, **headers)  # warm-up (also stamps the token's last use)

    small, small_sql = _measure(client, url, **headers)
    grow(data)
    large, large_sql = _measure(client, url, **headers)

    assert large == small, _explain(small_sql, large_sql)
