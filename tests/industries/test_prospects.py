"""Prospects and outreach: services (who may act, status moves, versions), conversion to a
lead project in one step (exactly one project, linked, refused twice, rolled back when out of
scope), pages, API, bounded SQL."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import ChainNodeFactory, EnterpriseFactory, valid_tax_code
from tests.industries.factories import OutreachActivityFactory, ProspectFactory
from tests.projects.test_api import Api
from vanco.accounts.enums import Role
from vanco.core.services import StaleEditError
from vanco.enterprises.enums import EnterpriseStatus, Ownership
from vanco.enterprises.models import Enterprise
from vanco.industries import services
from vanco.industries.enums import OutreachChannel, ProspectStatus
from vanco.industries.models import OutreachActivity, Prospect
from vanco.projects.enums import LeadSource, Stage
from vanco.projects.models import Project

pytestmark = pytest.mark.django_db

TODAY = datetime.date.today()


@pytest.fixture
def gap(world):
    return ChainNodeFactory(code="CHIP", name="Chip bán dẫn", is_key=True)


@pytest.fixture
def prospect(world, gap):
    return ProspectFactory(
        node=gap,
        company_name="Hanbit Semicon Co., Ltd.",
        tax_code=valid_tax_code(900),
        estimated_investment=Decimal("1200"),
        owner=world["users"][Role.COORDINATOR],
    )


def user(world, role):
    return world["users"][role]


# --- services -------------------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.COORDINATOR, Role.LEADER, Role.LOCALITY])
def test_create_prospect_allowed_for_prospect_managers(world, gap, role):
    created = services.create_prospect(
        actor=user(world, role),
        data={
            "industry": gap.industry,
            "node": gap,
            "company_name": "深圳华芯有限公司",
            "country": "CN",
        },
    )

    assert Prospect.objects.get(pk=created.pk).status == ProspectStatus.IDENTIFIED
    assert created.version == 1


@pytest.mark.parametrize("role", [Role.AUDITOR, Role.DEPARTMENT, Role.CADRE, Role.ENTERPRISE])
def test_create_prospect_refused_without_the_action(world, gap, role):
    with pytest.raises(PermissionDenied):
        services.create_prospect(
            actor=user(world, role),
            data={"industry": gap.industry, "node": gap, "company_name": "X Co., Ltd."},
        )
    assert Prospect.objects.count() == 0


def test_create_prospect_refuses_a_node_of_another_industry(world, gap):
    other = ChainNodeFactory()
    with pytest.raises(ValidationError) as error:
        services.create_prospect(
            actor=user(world, Role.COORDINATOR),
            data={"industry": gap.industry, "node": other, "company_name": "X Co., Ltd."},
        )
    assert "node" in error.value.message_dict


def test_log_outreach_moves_identified_to_contacted_and_records_the_date(world, prospect):
    officer = user(world, Role.LOCALITY)

    activity = services.log_outreach(
        actor=officer,
        prospect=prospect,
        occurred_on=TODAY,
        channel=OutreachChannel.VISIT,
        outcome="Gặp giám đốc đầu tư tại Seoul.",
        officials=[officer],
    )

    prospect.refresh_from_db()
    assert prospect.status == ProspectStatus.CONTACTED
    assert prospect.last_contact_on == TODAY
    assert prospect.version == 2
    assert list(activity.officials.all()) == [officer]
    assert activity.recorded_by == officer


def test_log_outreach_keeps_a_further_status(world, prospect):
    Prospect.objects.filter(pk=prospect.pk).update(status=ProspectStatus.NEGOTIATING)

    services.log_outreach(
        actor=user(world, Role.COORDINATOR),
        prospect=prospect,
        occurred_on=TODAY,
        channel=OutreachChannel.EMAIL,
        outcome="Gửi hồ sơ khu công nghiệp.",
    )

    prospect.refresh_from_db()
    assert prospect.status == ProspectStatus.NEGOTIATING


def test_log_outreach_refused_for_a_cadre_and_a_future_date(world, prospect):
    with pytest.raises(PermissionDenied):
        services.log_outreach(
            actor=user(world, Role.CADRE),
            prospect=prospect,
            occurred_on=TODAY,
            channel=OutreachChannel.PHONE,
            outcome="Gọi điện.",
        )
    with pytest.raises(ValidationError):
        services.log_outreach(
            actor=user(world, Role.COORDINATOR),
            prospect=prospect,
            occurred_on=TODAY + datetime.timedelta(days=1),
            channel=OutreachChannel.PHONE,
            outcome="Gọi điện.",
        )
    assert OutreachActivity.objects.count() == 0


def test_enterprise_user_cannot_see_prospects(world, prospect):
    with pytest.raises(Http404):
        services.decline_prospect(
            actor=user(world, Role.ENTERPRISE),
            prospect=prospect,
            reason="Không",
            expected_version=prospect.version,
        )


def test_decline_closes_the_prospect_and_refuses_a_stale_version(world, prospect):
    coordinator = user(world, Role.COORDINATOR)
    with pytest.raises(StaleEditError):
        services.decline_prospect(
            actor=coordinator, prospect=prospect, reason="Đã chọn Bắc Ninh", expected_version=9
        )

    services.decline_prospect(
        actor=coordinator, prospect=prospect, reason="Đã chọn Bắc Ninh", expected_version=1
    )

    prospect.refresh_from_db()
    assert prospect.status == ProspectStatus.DECLINED
    assert "Đã chọn Bắc Ninh" in prospect.notes
    with pytest.raises(ValidationError):
        services.update_prospect(
            actor=coordinator, prospect=prospect, data={"notes": "x"}, expected_version=2
        )


# --- conversion -----------------------------------------------------------------------------


def test_convert_creates_one_lead_project_and_enterprise_and_links_them(world, prospect):
    officer = user(world, Role.LOCALITY)

    converted = services.convert_prospect_to_lead(
        actor=officer,
        prospect=prospect,
        locality=world["district_a"],
        expected_version=prospect.version,
    )

    project = Project.objects.get()
    assert converted.project == project
    assert converted.status == ProspectStatus.CONVERTED
    assert project.stage == Stage.LEAD
    assert project.chain_node == prospect.node
    assert project.industry == prospect.industry
    assert project.locality == world["district_a"]
    assert project.lead_source == LeadSource.CHAIN_PROMOTION
    assert project.planned_investment == Decimal("1200")
    assert project.name == "Hanbit Semicon Co., Ltd."
    investor = project.investor
    assert investor.tax_code == prospect.tax_code
    assert investor.status == EnterpriseStatus.PROSPECT
    assert investor.ownership == Ownership.FOREIGN
    assert list(investor.chain_nodes.all()) == [prospect.node]


def test_convert_reuses_the_enterprise_with_the_same_tax_code(world, prospect):
    existing = EnterpriseFactory(tax_code=prospect.tax_code, locality=world["district_b"])

    services.convert_prospect_to_lead(
        actor=user(world, Role.COORDINATOR),
        prospect=prospect,
        locality=world["district_b"],
        expected_version=prospect.version,
        project_name="Nhà máy chip Hanbit",
    )

    assert Enterprise.objects.count() == 1
    assert Project.objects.get().investor == existing


def test_convert_refuses_an_enterprise_outside_the_officers_area(world, prospect):
    EnterpriseFactory(tax_code=prospect.tax_code, locality=world["district_b"])

    with pytest.raises(ValidationError) as error:
        services.convert_prospect_to_lead(
            actor=user(world, Role.LOCALITY),
            prospect=prospect,
            locality=world["district_a"],
            expected_version=prospect.version,
        )

    assert list(error.value.message_dict) == ["tax_code"]
    assert Project.objects.count() == 0
    prospect.refresh_from_db()
    assert prospect.status == ProspectStatus.IDENTIFIED


def test_convert_refused_twice(world, prospect):
    coordinator = user(world, Role.COORDINATOR)
    services.convert_prospect_to_lead(
        actor=coordinator, prospect=prospect, locality=world["city"], expected_version=1
    )

    with pytest.raises(ValidationError) as error:
        services.convert_prospect_to_lead(
            actor=coordinator, prospect=prospect, locality=world["city"], expected_version=2
        )

    assert error.value.code == "already_converted"
    assert Project.objects.count() == 1


def test_convert_refused_for_a_leader_without_projects_manage(world, prospect):
    with pytest.raises(PermissionDenied):
        services.convert_prospect_to_lead(
            actor=user(world, Role.LEADER),
            prospect=prospect,
            locality=world["city"],
            expected_version=1,
        )
    assert Project.objects.count() == 0


def test_convert_out_of_the_officers_area_rolls_everything_back(world, prospect):
    with pytest.raises(PermissionDenied):
        services.convert_prospect_to_lead(
            actor=user(world, Role.LOCALITY),
            prospect=prospect,
            locality=world["district_b"],
            expected_version=1,
        )

    prospect.refresh_from_db()
    assert prospect.status == ProspectStatus.IDENTIFIED
    assert Project.objects.count() == 0
    assert Enterprise.objects.count() == 0


def test_convert_without_tax_code_asks_for_one(world, gap):
    bare = ProspectFactory(node=gap, tax_code="")
    with pytest.raises(ValidationError) as error:
        services.convert_prospect_to_lead(
            actor=user(world, Role.COORDINATOR),
            prospect=bare,
            locality=world["city"],
            expected_version=1,
        )
    assert "tax_code" in error.value.message_dict
    assert Project.objects.count() == 0


# --- pages ----------------------------------------------------------------------------------


def test_prospect_pages_for_a_coordinator(client, world, prospect):
    client.force_login(user(world, Role.COORDINATOR))
    OutreachActivityFactory(prospect=prospect)

    listing = client.get(reverse("industries:prospect-list"), {"node": prospect.node_id})
    detail = client.get(prospect.get_absolute_url())
    export = client.get(reverse("industries:prospect-list"), {"export": "xlsx"})

    assert listing.status_code == 200
    assert [obj for obj, _cells in listing.context["rows"]] == [prospect]
    assert detail.status_code == 200
    assert [name for name, _label, _icon in detail.context["steps"]] == ["convert", "decline"]
    assert len(detail.context["activities"]) == 1
    assert export.status_code == 200


def test_prospect_list_filters_by_status_and_open(client, world, gap, prospect):
    ProspectFactory(node=gap, status=ProspectStatus.DECLINED)
    client.force_login(user(world, Role.LEADER))

    open_only = client.get(reverse("industries:prospect-list"), {"open": "true"})
    declined = client.get(reverse("industries:prospect-list"), {"status": "declined"})

    assert [obj.pk for obj, _c in open_only.context["rows"]] == [prospect.pk]
    assert len(declined.context["rows"]) == 1


def test_prospect_pages_hidden_from_enterprise_users_and_forms_closed_to_cadres(
    client, world, prospect
):
    client.force_login(user(world, Role.ENTERPRISE))
    assert client.get(prospect.get_absolute_url()).status_code == 404
    assert client.get(reverse("industries:prospect-list")).context["rows"] == []

    client.force_login(user(world, Role.CADRE))
    assert client.get(prospect.get_absolute_url()).status_code == 200
    assert client.get(reverse("industries:prospect-create")).status_code == 403
    outreach = reverse("industries:prospect-outreach", args=[prospect.pk])
    assert client.get(outreach).status_code == 403


def test_prospect_create_page_from_a_gap(client, world, gap):
    client.force_login(user(world, Role.LOCALITY))
    url = reverse("industries:prospect-create")

    form = client.get(url, {"node": gap.pk})
    response = client.post(
        url,
        {
            "industry": gap.industry_id,
            "node": gap.pk,
            "company_name": "Công ty TNHH Vật liệu Sao Mai",
            "country": "vn",
            "status": ProspectStatus.IDENTIFIED,
        },
    )

    assert form.context["form"].initial["node"] == gap.pk
    assert response.status_code == 302
    created = Prospect.objects.get()
    assert created.country == "VN"
    assert response.url == created.get_absolute_url()


def test_outreach_form_logs_a_contact(client, world, prospect):
    officer = user(world, Role.LOCALITY)
    client.force_login(officer)

    response = client.post(
        reverse("industries:prospect-outreach", args=[prospect.pk]),
        {
            "occurred_on": TODAY.isoformat(),
            "channel": OutreachChannel.FAIR,
            "officials": [officer.pk],
            "participants": "KOTRA Hà Nội",
            "outcome": "Gặp tại hội chợ Busan.",
            "next_step": "Mời khảo sát",
        },
    )

    assert response.status_code == 302
    assert OutreachActivity.objects.get().participants == "KOTRA Hà Nội"


def test_convert_step_through_htmx_and_post(client, world, prospect):
    client.force_login(user(world, Role.COORDINATOR))
    url = reverse("industries:prospect-step", args=[prospect.pk, "convert"])

    dialog = client.get(url, headers={"HX-Request": "true"})
    response = client.post(
        url,
        {
            "version": prospect.version,
            "locality": world["district_a"].pk,
            "tax_code": prospect.tax_code,
            "project_name": "Nhà máy chip Hanbit",
            "planned_investment": "1500",
        },
    )
    again = client.get(url)

    assert dialog.status_code == 200
    assert b"<html" not in dialog.content
    project = Project.objects.get()
    assert response.status_code == 302
    assert response.url == project.get_absolute_url()
    assert project.planned_investment == Decimal("1500")
    assert again.status_code == 403


def test_convert_step_forbidden_to_a_leader(client, world, prospect):
    client.force_login(user(world, Role.LEADER))
    url = reverse("industries:prospect-step", args=[prospect.pk, "convert"])
    assert client.get(url).status_code == 403
    assert (
        client.get(reverse("industries:prospect-step", args=[prospect.pk, "decline"])).status_code
        == 200
    )


def test_prospect_list_queries_bounded_whatever_the_size(
    client, world, gap, django_assert_max_num_queries
):
    client.force_login(user(world, Role.LOCALITY))
    url = reverse("industries:prospect-list")
    for _n in range(2):
        OutreachActivityFactory(prospect=ProspectFactory(node=gap, owner=user(world, Role.LEADER)))
    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    for _n in range(30):
        OutreachActivityFactory(prospect=ProspectFactory(node=gap, owner=user(world, Role.LEADER)))
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert len(client.get(url).context["rows"]) == 25


def test_prospect_detail_queries_bounded_whatever_the_timeline(
    client, world, prospect, django_assert_max_num_queries
):
    client.force_login(user(world, Role.COORDINATOR))
    OutreachActivityFactory(prospect=prospect)
    with CaptureQueriesContext(connection) as small:
        client.get(prospect.get_absolute_url())
    for _n in range(20):
        OutreachActivityFactory(prospect=prospect)
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert client.get(prospect.get_absolute_url()).status_code == 200


# --- API ------------------------------------------------------------------------------------


def test_api_prospect_journey(world, gap):
    api = Api(user(world, Role.COORDINATOR))

    created = api.post(
        "/api/v1/prospects",
        {
            "industry_id": gap.industry_id,
            "node_id": gap.pk,
            "company_name": "Toyo Precision Co., Ltd.",
            "country": "JP",
            "tax_code": valid_tax_code(901),
        },
    )
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    stale = api.patch(f"/api/v1/prospects/{pk}", {"version": 7, "notes": "x"})
    patched = api.patch(f"/api/v1/prospects/{pk}", {"version": 1, "status": "interested"})
    logged = api.post(
        f"/api/v1/prospects/{pk}/activities",
        {"occurred_on": TODAY.isoformat(), "channel": "online", "outcome": "Họp trực tuyến."},
    )
    activities = api.get(f"/api/v1/prospects/{pk}/activities")
    converted = api.post(
        f"/api/v1/prospects/{pk}/convert", {"version": 3, "locality_id": world["city"].pk}
    )
    twice = api.post(
        f"/api/v1/prospects/{pk}/convert", {"version": 4, "locality_id": world["city"].pk}
    )

    assert stale.status_code == 409
    assert patched.json()["status"] == "interested"
    assert logged.status_code == 201, logged.content
    assert activities.json()["count"] == 1
    assert converted.status_code == 200, converted.content
    assert converted.json()["project_id"] == Project.objects.get().pk
    assert twice.status_code == 422
    assert Project.objects.count() == 1


def test_api_prospects_scoping(world, prospect):
    assert (
        Api(user(world, Role.ENTERPRISE)).get(f"/api/v1/prospects/{prospect.pk}").status_code == 404
    )
    cadre = Api(user(world, Role.CADRE))
    assert cadre.get("/api/v1/prospects").json()["count"] == 1
    declined = cadre.post(
        f"/api/v1/prospects/{prospect.pk}/decline", {"version": 1, "reason": "Không"}
    )
    assert declined.status_code == 403
    leader = Api(user(world, Role.LEADER))
    converted = leader.post(
        f"/api/v1/prospects/{prospect.pk}/convert", {"version": 1, "locality_id": world["city"].pk}
    )
    assert converted.status_code == 403
    ok = leader.post(f"/api/v1/prospects/{prospect.pk}/decline", {"version": 1, "reason": "Không"})
    assert ok.status_code == 200
    assert ok.json()["status"] == "declined"
