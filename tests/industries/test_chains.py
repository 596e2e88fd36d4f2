"""The chain map: counts per node against a hand-counted chain, gaps and key gaps, per-chain
figures, scoping (a locality officer counts only their locality), pages and API, bounded SQL."""

from decimal import Decimal

import pytest
from django.urls import reverse

from tests.factories import (
    ChainNodeFactory,
    EnterpriseFactory,
    IndustryFactory,
    ObstacleFactory,
    ProjectFactory,
    user_with_role,
)
from tests.industries.factories import ProspectFactory
from tests.projects.test_api import Api
from vanco.accounts.enums import Role
from vanco.enterprises.enums import EnterpriseStatus
from vanco.industries import queries
from vanco.industries.enums import ChainSegment, ProspectStatus
from vanco.industries.models import Industry
from vanco.obstacles.enums import Status
from vanco.projects.enums import Stage

pytestmark = pytest.mark.django_db


@pytest.fixture
def chain(world):
    """Six nodes, hand-counted:

    U  A            (own 0; subtree e1, e5, e2)        covered
         A1 *key    e1 (DA), e5 (DA)                   covered
         A2         e2 (DB)                            covered; gap for district A
    M  B  *key      e4 closed (DA): no operating one   key gap
    D  C            e5 (DA)                            covered
         C1 *key    e3 (DB)                            covered; key gap for district A
    """
    da, db = world["district_a"], world["district_b"]
    industry = IndustryFactory(code="DT", name="Điện tử", sort_order=1)
    a = ChainNodeFactory(industry=industry, code="A", name="Linh kiện", segment="upstream")
    a1 = ChainNodeFactory(
        industry=industry, code="A1", name="Chip", segment="upstream", parent=a, is_key=True
    )
    a2 = ChainNodeFactory(
        industry=industry, code="A2", name="Tụ điện", segment="upstream", parent=a
    )
    b = ChainNodeFactory(
        industry=industry, code="B", name="Lắp ráp", segment=ChainSegment.MIDSTREAM, is_key=True
    )
    c = ChainNodeFactory(industry=industry, code="C", name="Phân phối", segment="downstream")
    c1 = ChainNodeFactory(
        industry=industry, code="C1", name="Sửa chữa", segment="downstream", parent=c, is_key=True
    )
    e1 = EnterpriseFactory(locality=da, industry=industry)
    e2 = EnterpriseFactory(locality=db, industry=industry)
    e3 = EnterpriseFactory(locality=db, industry=industry)
    e4 = EnterpriseFactory(locality=da, industry=industry, status=EnterpriseStatus.CLOSED)
    e5 = EnterpriseFactory(locality=world["commune_a"], industry=industry)
    e1.chain_nodes.set([a1])
    e2.chain_nodes.set([a2])
    e3.chain_nodes.set([c1])
    e4.chain_nodes.set([b])
    e5.chain_nodes.set([a1, c])
    p1 = ProjectFactory(
        investor=e1,
        industry=industry,
        chain_node=a1,
        locality=da,
        stage=Stage.LEAD,
        signed_amount=Decimal("50"),
        funds_in_place=Decimal("10"),
    )
    p2 = ProjectFactory(
        investor=e2,
        industry=industry,
        chain_node=a1,
        locality=db,
        stage=Stage.SIGNED,
        signed_amount=Decimal("100"),
        funds_in_place=Decimal("20"),
    )
    ProjectFactory(investor=e4, industry=industry, chain_node=b, locality=da, stage="negotiating")
    ProjectFactory(
        investor=e4,
        industry=industry,
        chain_node=b,
        locality=da,
        stage=Stage.DROPPED,
        signed_amount=Decimal("999"),
    )
    ObstacleFactory(project=p1, enterprise=e1, industry=industry, status=Status.ASSIGNED)
    ObstacleFactory(project=p2, enterprise=e2, industry=industry, status=Status.SUBMITTED)
    ObstacleFactory(project=p1, enterprise=e1, industry=industry, status=Status.CLOSED)
    ProspectFactory(node=b)
    ProspectFactory(node=b, status=ProspectStatus.DECLINED)
    ProspectFactory(node=c1, status=ProspectStatus.CONTACTED)
    return {"industry": industry, "a": a, "a1": a1, "a2": a2, "b": b, "c": c, "c1": c1}


def by_code(nodes) -> dict:
    return {node.code: node for node in nodes}


def test_chain_nodes_counts_match_hand_count(world, chain):
    nodes = by_code(queries.chain_nodes(world["users"][Role.COORDINATOR], chain["industry"]))

    assert {code: n.enterprises for code, n in nodes.items()} == {
        "A": 0,
        "A1": 2,
        "A2": 1,
        "B": 0,
        "C": 1,
        "C1": 1,
    }
    assert nodes["A"].enterprises_in_subtree == 3
    assert {code for code, n in nodes.items() if n.is_gap} == {"B"}
    assert {code for code, n in nodes.items() if n.is_key_gap} == {"B"}
    assert nodes["A1"].stages == {"lead": 1, "signed": 1}
    assert nodes["B"].stages == {"negotiating": 1}
    assert nodes["B"].prospects_open == 1
    assert nodes["C1"].prospects_open == 1


def test_chain_nodes_locality_officer_counts_only_their_locality(world, chain):
    nodes = by_code(queries.chain_nodes(world["users"][Role.LOCALITY], chain["industry"]))

    assert {code: n.enterprises for code, n in nodes.items()} == {
        "A": 0,
        "A1": 2,
        "A2": 0,
        "B": 0,
        "C": 1,
        "C1": 0,
    }
    assert {code for code, n in nodes.items() if n.is_gap} == {"A2", "B", "C1"}
    assert {code for code, n in nodes.items() if n.is_key_gap} == {"B", "C1"}
    assert nodes["A1"].stages == {"lead": 1}


def test_chain_coverage_counts_gaps_and_key_gaps_per_reader(world, chain):
    city = queries.chain_coverage(world["users"][Role.COORDINATOR])
    district = queries.chain_coverage(world["users"][Role.LOCALITY], chain["industry"].pk)

    picked = ("nodes", "covered", "gaps", "key_nodes", "key_gaps", "prospects_open")
    assert [{k: row[k] for k in picked} for row in city] == [
        {"nodes": 6, "covered": 5, "gaps": 1, "key_nodes": 3, "key_gaps": 1, "prospects_open": 2}
    ]
    assert [{k: row[k] for k in picked} for row in district] == [
        {"nodes": 6, "covered": 3, "gaps": 3, "key_nodes": 3, "key_gaps": 2, "prospects_open": 2}
    ]
    assert city[0]["url"] == reverse("industries:chain-map", args=[chain["industry"].pk])


def test_chain_coverage_changes_when_a_gap_gets_an_enterprise(world, chain):
    coordinator = world["users"][Role.COORDINATOR]
    assert queries.chain_coverage(coordinator)[0]["gaps"] == 1

    enterprise = EnterpriseFactory(locality=world["district_b"])
    enterprise.chain_nodes.set([chain["b"]])

    assert queries.chain_coverage(coordinator)[0]["gaps"] == 0


def test_chain_figures_sum_only_visible_projects_and_unresolved_obstacles(world, chain):
    def figures(user):
        qs = Industry.objects.filter(pk=chain["industry"].pk)
        row = queries.with_chain_figures(qs, user).values(
            "signed_total", "funds_total", "open_obstacles"
        )
        return row.get()

    assert figures(world["users"][Role.COORDINATOR]) == {
        "signed_total": Decimal("150"),
        "funds_total": Decimal("30"),
        "open_obstacles": 2,
    }
    assert figures(world["users"][Role.LOCALITY]) == {
        "signed_total": Decimal("50"),
        "funds_total": Decimal("10"),
        "open_obstacles": 1,
    }


def test_chain_map_page_shows_gaps_in_chart_and_table(client, world, chain):
    client.force_login(world["users"][Role.LOCALITY])

    response = client.get(reverse("industries:chain-map", args=[chain["industry"].pk]))

    assert response.status_code == 200
    body = response.content.decode()
    assert 'data-chart="chain-option"' in body
    nodes = {node.code: node for node in response.context["nodes"]}
    assert response.context["gap_count"] == 3
    assert response.context["key_gap_count"] == 2
    assert nodes["C1"].is_key_gap is True
    option = response.context["option"]
    segments = option["series"][0]["data"][0]["children"]
    assert [len(segment["children"]) for segment in segments] == [1, 1, 1]
    assembly = segments[1]["children"][0]
    assert assembly["symbol"] == "diamond"
    assert assembly["url"] == reverse("industries:node-detail", args=[chain["b"].pk])
    assert response.context["figures"]["open_obstacles"] == 1


def test_chain_map_page_out_of_scope_is_404_and_anonymous_redirects(client, world, chain):
    response = client.get(reverse("industries:chain-map", args=[chain["industry"].pk]))
    assert response.status_code == 302

    client.force_login(world["users"][Role.COORDINATOR])
    assert client.get(reverse("industries:chain-map", args=[99999])).status_code == 404


def _grow(industry, world, size: int) -> None:
    parent = ChainNodeFactory(industry=industry, segment="upstream")
    for _n in range(size):
        node = ChainNodeFactory(industry=industry, segment="upstream", parent=parent)
        enterprise = EnterpriseFactory(locality=world["district_a"])
        enterprise.chain_nodes.set([node])
        ProjectFactory(investor=enterprise, industry=industry, chain_node=node)
        ProspectFactory(node=node)


def test_chain_map_queries_bounded_whatever_the_chain_size(
    client, world, chain, django_assert_max_num_queries
):
    client.force_login(world["users"][Role.LOCALITY])
    url = reverse("industries:chain-map", args=[chain["industry"].pk])
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    _grow(chain["industry"], world, 25)
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get(url)
    assert len(response.context["nodes"]) == 6 + 26


def test_industry_list_shows_chief_and_chain_figures(client, world, chain):
    leader = world["users"][Role.LEADER]
    Industry.objects.filter(pk=chain["industry"].pk).update(chief=leader)
    client.force_login(world["users"][Role.LOCALITY])

    response = client.get(reverse("industries:industry-list"))

    assert response.status_code == 200
    _obj, cells = response.context["rows"][0]
    values = {column.name: value for column, value in cells}
    assert values["chief"] == leader.get_full_name()
    assert values["signed_total"] == 50.0
    assert values["funds_total"] == 10.0
    assert values["open_obstacles"] == 1
    assert reverse("industries:chain-map", args=[chain["industry"].pk]) in (
        response.content.decode()
    )


def test_industry_form_sets_a_leader_as_chief_and_refuses_others(client, world, chain):
    client.force_login(world["users"][Role.COORDINATOR])
    industry = chain["industry"]
    url = reverse("industries:industry-edit", args=[industry.pk])
    data = {
        "code": industry.code,
        "name": industry.name,
        "description": "",
        "sort_order": 1,
        "version": industry.version,
    }

    refused = client.post(url, {**data, "chief": world["users"][Role.CADRE].pk})
    saved = client.post(url, {**data, "chief": world["users"][Role.LEADER].pk})

    assert refused.status_code == 400
    assert saved.status_code == 302
    industry.refresh_from_db()
    assert industry.chief == world["users"][Role.LEADER]


def test_node_page_lists_visible_enterprises_and_projects(client, world, chain):
    client.force_login(world["users"][Role.LOCALITY])

    response = client.get(reverse("industries:node-detail", args=[chain["a1"].pk]))

    assert response.status_code == 200
    assert response.context["enterprise_page"].paginator.count == 2
    assert response.context["project_page"].paginator.count == 1
    stages = {stage.value: count for stage, count, _url in response.context["stages"]}
    assert stages["lead"] == 1
    assert stages["signed"] == 0
    html = response.content.decode()
    # The page's title is the node's name, and its lists are drawn once.
    title = html.split("<title>", 1)[1].split("</title>", 1)[0]
    assert title.strip() == f"{chain['a1'].name} · Vanco"
    assert html.count('data-testid="node-enterprises"') == 1


def test_api_chain_map_and_coverage_count_like_the_page(world, chain):
    api = Api(world["users"][Role.LOCALITY])

    response = api.get(f"/api/v1/industries/{chain['industry'].pk}/chain-map")
    coverage = api.get("/api/v1/chain-coverage")

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["open_obstacles"] == 1
    assert {n["code"] for n in body["nodes"] if n["is_key_gap"]} == {"B", "C1"}
    assert coverage.json()[0]["key_gaps"] == 2
    assert (
        Api(world["users"][Role.LOCALITY]).get("/api/v1/industries/99999/chain-map").status_code
        == 404
    )


def test_chain_chief_via_api_must_be_a_leader(world, chain):
    api = Api(world["users"][Role.COORDINATOR])
    industry = chain["industry"]
    cadre = user_with_role(Role.CADRE)

    refused = api.patch(
        f"/api/v1/industries/{industry.pk}", {"version": industry.version, "chief_id": cadre.pk}
    )
    saved = api.patch(
        f"/api/v1/industries/{industry.pk}",
        {"version": industry.version, "chief_id": world["users"][Role.LEADER].pk},
    )

    assert refused.status_code == 422
    assert saved.status_code == 200, saved.content
    assert saved.json()["chief_id"] == world["users"][Role.LEADER].pk
