"""The enterprises API: same filters, scope and form as the web."""

import pytest

from tests.api.test_api import Api
from tests.conftest import ENTERPRISE_TAX_CODE
from tests.factories import (
    ChainNodeFactory,
    ContactFactory,
    EnterpriseFactory,
    IndustryFactory,
    valid_tax_code,
)
from vanco.accounts.enums import Role
from vanco.enterprises.enums import EnterpriseStatus
from vanco.enterprises.models import Enterprise

URL = "/api/v1/enterprises"


@pytest.fixture
def firms(world):
    return {
        "a": EnterpriseFactory(name="Công ty Ánh Dương", locality=world["district_a"]),
        "commune_a": EnterpriseFactory(
            name="Công ty Đông Hà", locality=world["commune_a"], status=EnterpriseStatus.PROSPECT
        ),
        "b": EnterpriseFactory(name="Công ty Bình Sơn", locality=world["district_b"]),
    }


def names(response) -> list[str]:
    assert response.status_code == 200
    return sorted(item["name"] for item in response.json()["items"])


def test_api_enterprise_list_is_scoped_and_filtered(world, firms):
    officer = Api(world["users"][Role.LOCALITY])
    assert names(officer.get(URL)) == ["Công ty Ánh Dương", "Công ty Đông Hà"]
    coordinator = Api(world["users"][Role.COORDINATOR])
    assert names(coordinator.get(URL, {"locality": world["district_a"].pk})) == [
        "Công ty Ánh Dương",
        "Công ty Đông Hà",
    ]
    assert names(coordinator.get(URL, {"status": "prospect"})) == ["Công ty Đông Hà"]
    assert names(coordinator.get(URL, {"q": "binh son"})) == ["Công ty Bình Sơn"]
    assert names(Api(world["users"][Role.CADRE]).get(URL)) == []


def test_api_enterprise_detail_has_contacts_and_404_out_of_scope(world, firms):
    contact = ContactFactory(enterprise=firms["a"], phone="0912345612")
    officer = Api(world["users"][Role.LOCALITY])
    body = officer.get(f"{URL}/{firms['a'].pk}").json()
    assert [(c["id"], c["phone"]) for c in body["contacts"]] == [(contact.pk, "0912345612")]
    assert officer.get(f"{URL}/{firms['b'].pk}").status_code == 404


def test_api_enterprise_create_and_update_with_version(world):
    industry = IndustryFactory()
    node = ChainNodeFactory(industry=industry)
    officer = Api(world["users"][Role.LOCALITY])
    payload = {
        "name": "Công ty API",
        "tax_code": ENTERPRISE_TAX_CODE,
        "locality_id": world["commune_a"].pk,
        "industry_id": industry.pk,
        "chain_node_ids": [node.pk],
    }
    response = officer.post(URL, payload)
    assert response.status_code == 201
    body = response.json()
    assert (body["version"], body["chain_node_ids"], body["contacts"]) == (1, [node.pk], [])
    pk = body["id"]
    response = officer.patch(f"{URL}/{pk}", {"version": 1, "employees": 40})
    assert (response.status_code, response.json()["employees"]) == (200, 40)
    response = officer.patch(f"{URL}/{pk}", {"version": 1, "employees": 41})
    assert response.status_code == 409
    response = officer.patch(f"{URL}/{pk}", {"version": 2, "locality_id": world["district_b"].pk})
    assert (response.status_code, list(response.json()["error"]["fields"])) == (422, ["locality"])
    enterprise = Enterprise.objects.get()
    assert (enterprise.employees, enterprise.locality, enterprise.version) == (
        40,
        world["commune_a"],
        2,
    )


def test_api_enterprise_writes_refused_without_action_or_scope(world, firms):
    auditor = Api(world["users"][Role.AUDITOR])
    payload = {"name": "X", "tax_code": valid_tax_code(5), "locality_id": world["city"].pk}
    assert auditor.post(URL, payload).status_code == 403
    assert auditor.patch(f"{URL}/{firms['a'].pk}", {"version": 1}).status_code == 403
    officer = Api(world["users"][Role.LOCALITY])
    assert officer.patch(f"{URL}/{firms['b'].pk}", {"version": 1}).status_code == 404
