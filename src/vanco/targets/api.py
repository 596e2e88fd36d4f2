"""The targets API: targets (list, set, change), actuals with their drill-down links, campaigns,
the live ranking (whole-city readers) and the published snapshots, and publishing.

Reads start at ``visible_to`` (out of scope: 404); writes go through ``targets.services``,
the campaign form (``save_with_form``) or ``targets.ranking.publish_ranking``."""

import datetime
from decimal import Decimal

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.responses import Status

from vanco.api.crud import get_editable, get_visible, save_with_form
from vanco.api.errors import FormInvalid
from vanco.api.pagination import LimitOffsetPagination, paginate
from vanco.core import access
from vanco.org.models import Locality
from vanco.targets import ranking, services
from vanco.targets.actuals import actuals, drilldown_url
from vanco.targets.enums import Metric
from vanco.targets.forms import CampaignForm, weight_field_name
from vanco.targets.models import Campaign, RankingEntry, RankingSnapshot, Target

router = Router(tags=["targets"])

VERSION_HELP = "The version you loaded; a change based on an older one is refused (409)."


class TargetOut(Schema):
    id: int
    year: int
    locality_id: int
    locality_code: str = Field(alias="locality.code")
    metric: str
    value: Decimal
    note: str
    version: int


class TargetIn(Schema):
    year: int = Field(ge=2000, le=2100)
    locality_id: int
    metric: Metric
    value: Decimal = Field(ge=0)
    note: str = Field("", max_length=255)


class TargetPatch(Schema):
    value: Decimal = Field(ge=0)
    note: str | None = Field(None, max_length=255)
    version: int = Field(description=VERSION_HELP)


class ActualOut(Schema):
    locality_id: int
    metric: str
    value: Decimal | None
    url: str = Field(description="The web list of the records behind the figure")


class CampaignOut(Schema):
    id: int
    name: str
    first_year: int
    last_year: int
    weights: dict[str, Decimal]
    completion_cap: Decimal
    description: str
    version: int


class CampaignIn(Schema):
    name: str = Field(max_length=200)
    first_year: int
    last_year: int
    weights: dict[Metric, Decimal]
    completion_cap: Decimal = Decimal("120")
    description: str = ""


class CampaignPatch(Schema):
    name: str | None = None
    first_year: int | None = None
    last_year: int | None = None
    weights: dict[Metric, Decimal] | None = None
    completion_cap: Decimal | None = None
    description: str | None = None
    version: int = Field(description=VERSION_HELP)


class LineOut(Schema):
    metric: str
    weight: Decimal | None
    target: Decimal | None
    actual: Decimal | None
    completion: Decimal | None
    points: Decimal | None
    status: str = Field(description="counted, no_target (left out) or no_figure (left out)")


class RankingRowOut(Schema):
    locality_id: int
    locality_name: str
    rank: int | None
    score: Decimal | None
    breakdown: list[LineOut]


class LiveRankingOut(Schema):
    campaign_id: int
    first_year: int
    last_year: int
    weights: dict[str, Decimal]
    completion_cap: Decimal
    formula: str
    rows: list[RankingRowOut]


class SnapshotOut(Schema):
    id: int
    campaign_id: int
    title: str
    published_by_id: int
    published_at: datetime.datetime
    first_year: int
    last_year: int
    weights: dict[str, Decimal]
    completion_cap: Decimal
    formula: str
    data_date: datetime.date


class SnapshotDetailOut(SnapshotOut):
    rows: list[RankingRowOut]


class PublishIn(Schema):
    title: str = Field("", max_length=255)


# --- targets --------------------------------------------------------------------------------


@router.get("/targets", response=list[TargetOut], url_name="list_targets")
@paginate(LimitOffsetPagination)
def list_targets(
    request,
    year: int | None = None,
    metric: Metric | None = None,
    locality: int | None = Query(None, description="A locality id; includes its sub-localities"),
):
    """Targets you can see (the whole city: all; a locality officer: their subtree's)."""
    qs = Target.objects.visible_to(request.user).select_related("locality")
    if year is not None:
        qs = qs.filter(year=year)
    if metric is not None:
        qs = qs.filter(metric=metric)
    if locality is not None:
        within = get_visible(request, Locality, locality)
        qs = qs.filter(locality__path__startswith=within.path)
    return qs.order_by("-year", "locality__path", "metric", "pk")


@router.post("/targets", response={201: TargetOut}, url_name="set_target")
def set_target(request, payload: TargetIn):
    """Set the target of (year, locality, metric): created, or changed if it exists."""
    access.require(request.user, "targets.manage")
    locality = get_visible(request, Locality, payload.locality_id)
    target = services.set_target(
        actor=request.user,
        year=payload.year,
        locality=locality,
        metric=payload.metric,
        value=payload.value,
        note=payload.note,
    )
    return Status(201, Target.objects.select_related("locality").get(pk=target.pk))


@router.patch("/targets/{pk}", response=TargetOut, url_name="update_target")
def update_target(request, pk: int, payload: TargetPatch):
    target = get_editable(request, Target, pk, "targets.manage")
    target = services.set_target(
        actor=request.user,
        year=target.year,
        locality=target.locality,
        metric=target.metric,
        value=payload.value,
        note=target.note if payload.note is None else payload.note,
        expected_version=payload.version,
    )
    return Target.objects.select_related("locality").get(pk=target.pk)


# --- actuals --------------------------------------------------------------------------------


@router.get("/actuals", response=list[ActualOut], url_name="list_actuals")
def list_actuals(
    request,
    year_from: int = Query(..., ge=2000, le=2100),
    year_to: int | None = Query(None, ge=2000, le=2100),
    locality: list[int] | None = Query(None, description="Locality ids (default: all you see)"),  # noqa: B008
):
    """Actual figures per locality (its whole subtree) and metric, from the records you can see,
    with the link to the list behind each. Counts and amounts are summed over the years; rates
    are pooled (null when there is nothing to rate)."""
    year_to = year_to or year_from
    if year_to < year_from or year_to - year_from > 20:
        raise FormInvalid({"year_to": [_("Choose from 1 to 21 consecutive years.")]})
    span = range(year_from, year_to + 1)
    figures = actuals(request.user, years=span, locality_ids=locality)
    return [
        {
            "locality_id": locality_id,
            "metric": metric,
            "value": value,
            "url": drilldown_url(metric, span, locality_id),
        }
        for (locality_id, metric), value in sorted(figures.items())
    ]


# --- campaigns ------------------------------------------------------------------------------


def _campaign_data(payload: dict) -> dict:
    data = {key: value for key, value in payload.items() if key not in ("weights",)}
    weights = payload.get("weights")
    if weights is not None:
        for metric in Metric.values:
            data[weight_field_name(metric)] = weights.get(Metric(metric), weights.get(metric, 0))
    return data


@router.get("/campaigns", response=list[CampaignOut], url_name="list_campaigns")
def list_campaigns(request):
    return list(Campaign.objects.visible_to(request.user))


@router.get("/campaigns/{pk}", response=CampaignOut, url_name="get_campaign")
def get_campaign(request, pk: int):
    return get_visible(request, Campaign, pk)


@router.post("/campaigns", response={201: CampaignOut}, url_name="create_campaign")
def create_campaign(request, payload: CampaignIn):
    campaign = save_with_form(
        request,
        form_class=CampaignForm,
        instance=None,
        payload=_campaign_data(payload.dict()),
        action="targets.manage",
    )
    return Status(201, campaign)


@router.patch("/campaigns/{pk}", response=CampaignOut, url_name="update_campaign")
def update_campaign(request, pk: int, payload: CampaignPatch):
    campaign = get_editable(request, Campaign, pk, "targets.manage")
    data = _campaign_data(payload.dict(exclude_unset=True))
    return save_with_form(
        request, form_class=CampaignForm, instance=campaign, payload=data, action="targets.manage"
    )


# --- rankings -------------------------------------------------------------------------------


def _row(locality, rank, score, lines) -> dict:
    return {
        "locality_id": locality.pk,
        "locality_name": locality.name,
        "rank": rank,
        "score": score,
        "breakdown": [line.as_json() for line in lines],
    }


@router.get("/rankings/live", response=LiveRankingOut, url_name="live_ranking")
def live_ranking(request, campaign: int):
    """Today's ranking of a campaign from the records (leaders, coordinators, auditors)."""
    access.require(request.user, "rankings.live")
    chosen = get_visible(request, Campaign, campaign)
    rows = ranking.campaign_ranking(request.user, chosen)
    return {
        "campaign_id": chosen.pk,
        "first_year": chosen.first_year,
        "last_year": chosen.last_year,
        "weights": ranking.clean_weights(chosen.weights),
        "completion_cap": chosen.completion_cap,
        "formula": ranking.FORMULA,
        "rows": [_row(row.locality, row.rank, row.score, row.lines) for row in rows],
    }


@router.get("/rankings/snapshots", response=list[SnapshotOut], url_name="list_snapshots")
@paginate(LimitOffsetPagination)
def list_snapshots(request, campaign: int | None = None):
    """Published rankings (every official)."""
    qs = RankingSnapshot.objects.visible_to(request.user)
    if campaign is not None:
        qs = qs.filter(campaign_id=campaign)
    return qs.order_by("-published_at", "-pk")


@router.get("/rankings/snapshots/{pk}", response=SnapshotDetailOut, url_name="get_snapshot")
def get_snapshot(request, pk: int):
    snapshot = get_visible(request, RankingSnapshot, pk)
    entries = (
        RankingEntry.objects.visible_to(request.user)
        .filter(snapshot=snapshot)
        .select_related("locality")
        .order_by("rank", "locality__path")
    )
    return {
        **{name: getattr(snapshot, name) for name in SnapshotOut.model_fields},
        "rows": [
            _row(entry.locality, entry.rank, entry.score, ranking.snapshot_lines(entry))
            for entry in entries
        ],
    }


@router.post("/campaigns/{pk}/publish", response={201: SnapshotOut}, url_name="publish_ranking")
def publish(request, pk: int, payload: PublishIn):
    """Publish today's ranking of the campaign as an immutable snapshot (coordinator)."""
    campaign = get_object_or_404(Campaign.objects.visible_to(request.user), pk=pk)
    snapshot = ranking.publish_ranking(actor=request.user, campaign=campaign, title=payload.title)
    return Status(201, snapshot)
