"""Chain figures read from the reader's visible rows: the chain map of one industry (per node:
operating enterprises, projects by stage, open prospects; gaps and key gaps) and the chain
coverage of every industry for the dashboard.

A node is *covered* when it or one of its sub-nodes has at least one operating enterprise the
reader can see; a *gap* is an active node that is not covered; a *key gap* is a gap on a key
node. Counts are grouped queries over the whole chain, never one query per node.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, DecimalField, OuterRef, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.urls import reverse

from vanco.core import access, figures
from vanco.core.tree import PATH_DIGITS
from vanco.enterprises.enums import EnterpriseStatus
from vanco.enterprises.models import Enterprise
from vanco.industries.enums import OPEN_PROSPECT_STATUSES
from vanco.industries.models import ChainNode, Industry, Prospect
from vanco.obstacles.enums import UNRESOLVED_STATUSES
from vanco.obstacles.models import Obstacle
from vanco.projects.enums import PIPELINE, Stage
from vanco.projects.models import Project

#: The stages a chain map counts projects in (dropped projects bring no investment).
MAP_STAGES = (*PIPELINE, Stage.PAUSED)


@dataclass
class NodeFigures:
    id: int
    parent_id: int | None
    name: str
    code: str
    segment: str
    is_key: bool
    depth: int
    path: str
    enterprises: int = 0
    #: operating enterprises of the node and of its sub-nodes
    enterprises_in_subtree: int = 0
    stages: dict = field(default_factory=dict)
    prospects_open: int = 0

    @property
    def projects(self) -> int:
        return sum(self.stages.values())

    @property
    def is_gap(self) -> bool:
        return self.enterprises_in_subtree == 0

    @property
    def is_key_gap(self) -> bool:
        return self.is_gap and self.is_key

    @property
    def url(self) -> str:
        return reverse("industries:node-detail", args=[self.id])

    @property
    def prospects_url(self) -> str:
        return reverse("industries:prospect-list") + f"?node={self.id}&open=true"

    @property
    def stage_list(self) -> list[tuple[str, int]]:
        return [(stage, self.stages.get(stage.value, 0)) for stage in MAP_STAGES]


def _operating_links(user, industry_ids):
    """The links (node, enterprise) of the visible operating enterprises to the chains of these
    industries; callers keep the nodes they show."""
    through = Enterprise.chain_nodes.through
    # Joined through the node's industry, not filtered by a list of node ids: with such a
    # list SQLite walks every operating enterprise and probes each id (2 s on the large data).
    links = through.objects.filter(
        chainnode__industry_id__in=industry_ids, enterprise__status=EnterpriseStatus.OPERATING
    )
    if not access.scope_for(user).whole_city:
        links = links.filter(enterprise_id__in=Enterprise.objects.visible_to(user).values("pk"))
    return links.values_list("chainnode_id", "enterprise_id")


def _subtree_totals(nodes: list[NodeFigures], own_links: dict[int, set]) -> None:
    """Distinct enterprises of each node's subtree, bottom-up: each node's set is merged once
    into its parent's (found by the path), so the cost grows with the links, not the square
    of the chain."""
    by_path = {node.path: node for node in nodes}
    subtree: dict[str, set] = {}
    # Longest paths first: every descendant is done before its ancestors.
    for node in sorted(nodes, key=lambda n: len(n.path), reverse=True):
        node.enterprises = len(own_links.get(node.id, ()))
        found = subtree.pop(node.path, set())
        found |= own_links.get(node.id, set())
        node.enterprises_in_subtree = len(found)
        parent_path = node.path[: -(PATH_DIGITS + 1)]
        if parent_path in by_path:
            subtree.setdefault(parent_path, set()).update(found)


def chain_nodes(user, industry: Industry) -> list[NodeFigures]:
    """Every active node of the chain the reader can see, in tree order, with its figures
    (four queries whatever the chain's size)."""
    nodes = [
        NodeFigures(**row)
        for row in ChainNode.objects.visible_to(user)
        .filter(industry=industry, is_active=True)
        .order_by("path")
        .values("id", "parent_id", "name", "code", "segment", "is_key", "depth", "path")
    ]
    ids = [node.id for node in nodes]
    by_id = {node.id: node for node in nodes}
    links: dict[int, set] = defaultdict(set)
    for node_id, enterprise_id in _operating_links(user, [industry.pk]):
        if node_id in by_id:
            links[node_id].add(enterprise_id)
    _subtree_totals(nodes, links)
    stage_rows = (
        Project.objects.visible_to(user)
        .filter(industry=industry, chain_node_id__in=ids, stage__in=MAP_STAGES)
        .values("chain_node_id", "stage")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for row in stage_rows:
        by_id[row["chain_node_id"]].stages[row["stage"]] = row["n"]
    prospect_rows = (
        Prospect.objects.visible_to(user)
        .filter(industry=industry, node_id__in=ids, status__in=OPEN_PROSPECT_STATUSES)
        .values("node_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for row in prospect_rows:
        by_id[row["node_id"]].prospects_open = row["n"]
    return nodes


# --- per-chain money and obstacles ----------------------------------------------------------


_MONEY = DecimalField(max_digits=20, decimal_places=3)


def _sum_per_industry(user, column: str) -> Subquery:
    rows = (
        Project.objects.visible_to(user)
        .filter(industry_id=OuterRef("pk"))
        .exclude(stage=Stage.DROPPED)
        .order_by()
        .values("industry_id")
        .annotate(total=Sum(column))
        .values("total")
    )
    return Coalesce(Subquery(rows, output_field=_MONEY), Value(Decimal("0")), output_field=_MONEY)


def _open_obstacles(user) -> Subquery:
    rows = (
        Obstacle.objects.visible_to(user)
        .filter(industry_id=OuterRef("pk"), status__in=UNRESOLVED_STATUSES)
        .order_by()
        .values("industry_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(rows), Value(0))


def with_chain_figures(queryset, user):
    """Industries annotated with the reader's signed amount, funds in place (projects not
    dropped) and unresolved obstacles of each chain: sortable and exportable columns."""
    return queryset.annotate(
        signed_total=_sum_per_industry(user, "signed_amount"),
        funds_total=_sum_per_industry(user, "funds_in_place"),
        open_obstacles=_open_obstacles(user),
    )


# --- chain coverage for the dashboard -------------------------------------------------------


def _coverage(user, industry_id) -> list[dict]:
    industries = Industry.objects.visible_to(user).filter(is_active=True)
    if industry_id:
        industries = industries.filter(pk=industry_id)
    industries = list(industries.order_by("sort_order", "name").values("id", "code", "name"))
    ids = [row["id"] for row in industries]
    nodes_by_industry: dict[int, list[NodeFigures]] = defaultdict(list)
    all_nodes = []
    for row in (
        ChainNode.objects.visible_to(user)
        .filter(industry_id__in=ids, is_active=True)
        .values("id", "industry_id", "path", "is_key")
    ):
        node = NodeFigures(
            id=row["id"],
            parent_id=None,
            name="",
            code="",
            segment="",
            is_key=row["is_key"],
            depth=0,
            path=row["path"],
        )
        nodes_by_industry[row["industry_id"]].append(node)
        all_nodes.append(node)
    # Coverage needs only which nodes have an operating enterprise (a few hundred ids), not
    # the enterprises themselves: a node is covered when it or a node below it has one.
    with_enterprise = set(
        _operating_links(user, ids).values_list("chainnode_id", flat=True).distinct()
    )
    covered_paths = set()
    for node in all_nodes:
        if node.id in with_enterprise:
            path = node.path
            while path and path not in covered_paths:
                covered_paths.add(path)
                path = path[: -(PATH_DIGITS + 1)]
    for node in all_nodes:
        node.enterprises_in_subtree = 1 if node.path in covered_paths else 0
    prospects = dict(
        Prospect.objects.visible_to(user)
        .filter(industry_id__in=ids, status__in=OPEN_PROSPECT_STATUSES)
        .values("industry_id")
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("industry_id", "n")
    )
    result = []
    for row in industries:
        nodes = nodes_by_industry.get(row["id"], [])
        gaps = [node for node in nodes if node.is_gap]
        result.append(
            {
                "industry_id": row["id"],
                "code": row["code"],
                "name": row["name"],
                "nodes": len(nodes),
                "covered": len(nodes) - len(gaps),
                "gaps": len(gaps),
                "key_nodes": sum(1 for node in nodes if node.is_key),
                "key_gaps": sum(1 for node in gaps if node.is_key),
                "prospects_open": prospects.get(row["id"], 0),
                "url": reverse("industries:chain-map", args=[row["id"]]),
                "prospects_url": reverse("industries:prospect-list")
                + f"?industry={row['id']}&open=true",
            }
        )
    return result


def chain_coverage(user, industry_id: int | None = None) -> list[dict]:
    """Per active industry the reader can see: nodes, nodes covered (≥ 1 operating enterprise
    in the node or below), gaps, key nodes, key gaps, open prospects, and the URLs of its map
    and of its open prospects. Cached under the reader's scope and the data version."""
    return figures.cached(
        "chain-coverage",
        user,
        (industry_id,),
        (Industry, ChainNode, Enterprise, Prospect),
        lambda: _coverage(user, industry_id),
    )
