"""Leading industries and their chain nodes: pages, forms, tree rules, counts."""

import io

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from tests.factories import ChainNodeFactory, IndustryFactory
from vanco.accounts.enums import Role
from vanco.accounts.services import issue_token
from vanco.core.tree import path_segment
from vanco.industries.enums import ChainSegment
from vanco.industries.models import ChainNode, Industry

INDUSTRY_LIST = reverse("industries:industry-list")
INDUSTRY_CREATE = reverse("industries:industry-create")
NODE_LIST = reverse("industries:node-list")
NODE_CREATE = reverse("industries:node-create")


def tree_path(*nodes) -> str:
    """The materialised path of the last node, through its ancestors (zero-padded ids)."""
    return "/" + "".join(path_segment(node.pk) for node in nodes)


def translated(msgid: str, language: str = "vi") -> str:
    with translation.override(language):
        return translation.gettext(msgid)


@pytest.fixture
def electronics(world):
    industry = IndustryFactory(code="DT", name="Điện tử", sort_order=1)
    chips = ChainNodeFactory(
        industry=industry,
        code="CHIP",
        name="Chip bán dẫn",
        segment=ChainSegment.UPSTREAM,
        is_key=True,
    )
    wafers = ChainNodeFactory(
        industry=industry,
        code="WAFER",
        name="Tấm wafer",
        segment=ChainSegment.UPSTREAM,
        parent=chips,
    )
    boards = ChainNodeFactory(
        industry=industry, code="PCB", name="Bảng mạch in", segment=ChainSegment.MIDSTREAM
    )
    phones = ChainNodeFactory(
        industry=industry,
        code="PHONE",
        name="Điện thoại",
        segment=ChainSegment.DOWNSTREAM,
        is_key=True,
    )
    old = ChainNodeFactory(
        industry=industry,
        code="CRT",
        name="Màn hình CRT",
        segment=ChainSegment.DOWNSTREAM,
        is_key=True,
        is_active=False,
    )
    return {
        "industry": industry,
        "chips": chips,
        "wafers": wafers,
        "boards": boards,
        "phones": phones,
        "old": old,
    }


@pytest.fixture
def textiles(world):
    industry = IndustryFactory(code="DM", name="Dệt may", sort_order=2)
    yarn = ChainNodeFactory(
        industry=industry, code="SOI", name="Sợi", segment=ChainSegment.UPSTREAM
    )
    return {"industry": industry, "yarn": yarn}


def node_data(**values) -> dict:
    data = {
        "industry": "",
        "parent": "",
        "code": "",
        "name": "",
        "segment": ChainSegment.MIDSTREAM,
        "description": "",
    }
    data.update(values)
    return {key: value for key, value in data.items() if value is not None}


# --- Industry pages ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_industry_detail_groups_nodes_by_segment(electronics, textiles, coordinator_client):
    industry = electronics["industry"]

    response = coordinator_client.get(reverse("industries:industry-detail", args=[industry.pk]))

    assert response.status_code == 200
    segments = [
        (segment, [node.code for node in nodes]) for segment, nodes in response.context["segments"]
    ]
    assert segments == [
        (ChainSegment.UPSTREAM, ["CHIP", "WAFER"]),
        (ChainSegment.MIDSTREAM, ["PCB"]),
        (ChainSegment.DOWNSTREAM, ["PHONE", "CRT"]),
    ]
    assert response.context["node_total"] == 5
    assert response.context["nodes_truncated"] is False


@pytest.mark.django_db
def test_industry_detail_marks_key_nodes(electronics, coordinator_client):
    industry = electronics["industry"]

    content = coordinator_client.get(
        reverse("industries:industry-detail", args=[industry.pk])
    ).content.decode()

    # CHIP, PHONE and the deactivated CRT are key nodes; WAFER and PCB are not.
    assert content.count("badge-key") == 3
    chip_item = content.split("Chip bán dẫn", 1)[1].split("</li>", 1)[0]
    board_item = content.split("Bảng mạch in", 1)[1].split("</li>", 1)[0]
    assert "badge-key" in chip_item
    assert "badge-key" not in board_item
    assert "Sợi" not in content


@pytest.mark.django_db
def test_industry_list_annotates_node_counts(electronics, textiles, coordinator_client):
    empty = IndustryFactory(code="CK", name="Cơ khí", sort_order=3)

    response = coordinator_client.get(INDUSTRY_LIST)

    rows = [
        (obj.code, obj.node_count, obj.key_count) for obj in response.context["page"].object_list
    ]
    # Active nodes only: CRT is deactivated.
    assert rows == [("DT", 4, 2), ("DM", 1, 0), (empty.code, 0, 0)]


@pytest.mark.django_db
def test_industry_list_sorts_by_node_count(electronics, textiles, coordinator_client):
    IndustryFactory(code="CK", name="Cơ khí", sort_order=3)

    response = coordinator_client.get(INDUSTRY_LIST, {"sort": "-node_count"})

    assert [obj.code for obj in response.context["page"].object_list] == ["DT", "DM", "CK"]


@pytest.mark.django_db
def test_industry_export_has_counts(electronics, textiles, coordinator_client, coordinator):
    coordinator.language = "en"
    coordinator.save()

    response = coordinator_client.get(INDUSTRY_LIST, {"export": "xlsx"})

    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    rows = [tuple(row) for row in workbook.active.iter_rows(values_only=True)]
    assert rows == [
        (
            "Code",
            "Name",
            "Chain chief",
            "Chain nodes",
            "Key nodes",
            "Signed amount",
            "Funds in place",
            "Open obstacles",
            "Active",
        ),
        ("DT", "Điện tử", None, 4, 2, 0, 0, 0, True),
        ("DM", "Dệt may", None, 1, 0, 0, 0, 0, True),
    ]


@pytest.mark.django_db
def test_industry_create_normalises_code(world, coordinator_client):
    response = coordinator_client.post(
        INDUSTRY_CREATE, {"code": "hoa-duoc", "name": "Hóa dược", "sort_order": "4"}
    )

    assert response.status_code == 302
    industry = Industry.objects.get(name="Hóa dược")
    assert (industry.code, industry.sort_order, industry.version) == ("HOA-DUOC", 4, 1)


@pytest.mark.django_db
def test_industry_create_duplicate_name_refused(electronics, coordinator_client):
    response = coordinator_client.post(
        INDUSTRY_CREATE, {"code": "DT2", "name": "Điện tử", "sort_order": "5"}
    )

    assert response.status_code == 400
    assert list(response.context["form"].errors) == ["name"]


@pytest.mark.django_db
def test_industry_deactivated_leaves_node_form_choices(electronics, textiles, coordinator_client):
    toggle = reverse("industries:industry-toggle", args=[textiles["industry"].pk])
    assert coordinator_client.post(toggle, {"active": "0"}).status_code == 302

    response = coordinator_client.get(NODE_CREATE)

    assert list(response.context["form"].fields["industry"].queryset) == [electronics["industry"]]


@pytest.mark.django_db
def test_industry_create_refused_for_department_officer(world, client):
    client.force_login(world["users"][Role.DEPARTMENT])

    response = client.post(INDUSTRY_CREATE, {"code": "X", "name": "Ngành X"})

    assert response.status_code == 403
    assert not Industry.objects.filter(code="X").exists()


# --- Chain nodes -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_chain_node_create_under_parent_writes_path(electronics, coordinator_client):
    industry, chips, wafers = electronics["industry"], electronics["chips"], electronics["wafers"]

    response = coordinator_client.post(
        NODE_CREATE,
        node_data(
            industry=industry.pk,
            parent=wafers.pk,
            code="si",
            name="Silic tinh khiết",
            segment=ChainSegment.UPSTREAM,
            is_key="on",
        ),
    )

    assert response.status_code == 302
    node = ChainNode.objects.get(industry=industry, code="SI")
    assert (node.path, node.depth, node.is_key, node.version) == (
        tree_path(chips, wafers, node),
        2,
        True,
        1,
    )


@pytest.mark.django_db
def test_chain_node_parent_from_another_industry_refused(electronics, textiles, coordinator_client):
    response = coordinator_client.post(
        NODE_CREATE,
        node_data(
            industry=electronics["industry"].pk,
            parent=textiles["yarn"].pk,
            code="MIX",
            name="Lai ghép",
        ),
    )

    assert response.status_code == 400
    assert response.context["form"].errors == {
        "parent": [translated("The parent node must belong to the same leading industry.")]
    }
    assert not ChainNode.objects.filter(code="MIX").exists()


@pytest.mark.django_db
def test_chain_node_api_parent_from_another_industry_refused(
    electronics, textiles, client, coordinator
):
    _token, raw = issue_token(user=coordinator)

    response = client.post(
        "/api/v1/chain-nodes",
        data={
            "industry_id": electronics["industry"].pk,
            "parent_id": textiles["yarn"].pk,
            "code": "MIX",
            "name": "Lai ghép",
            "segment": "midstream",
        },
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {raw}",
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert response.status_code == 422
    assert response.json()["error"]["fields"] == {
        "parent": ["The parent node must belong to the same leading industry."]
    }


@pytest.mark.django_db
def test_chain_node_code_unique_within_industry_in_form(electronics, coordinator_client):
    response = coordinator_client.post(
        NODE_CREATE,
        node_data(industry=electronics["industry"].pk, code="chip", name="Chip khác"),
    )

    assert response.status_code == 400
    errors = response.context["form"].errors
    assert sum(len(messages) for messages in errors.values()) == 1
    assert translated("This code is already used in this industry's chain.") in str(errors)
    assert ChainNode.objects.filter(industry=electronics["industry"], code="CHIP").count() == 1


@pytest.mark.django_db
def test_chain_node_same_code_allowed_in_another_industry(
    electronics, textiles, coordinator_client
):
    response = coordinator_client.post(
        NODE_CREATE,
        node_data(industry=textiles["industry"].pk, code="CHIP", name="Chip dệt thông minh"),
    )

    assert response.status_code == 302
    assert ChainNode.objects.filter(code="CHIP").count() == 2


@pytest.mark.django_db
def test_chain_node_unique_constraint_in_database(electronics):
    with pytest.raises(IntegrityError) as excinfo, transaction.atomic():
        ChainNode.objects.create(
            industry=electronics["industry"],
            code="CHIP",
            name="Trùng mã",
            segment=ChainSegment.UPSTREAM,
        )
    assert "chainnode" in str(excinfo.value).lower()


@pytest.mark.django_db
def test_chain_node_create_preselects_industry_from_parent(
    electronics, textiles, coordinator_client
):
    parent = electronics["boards"]

    response = coordinator_client.get(NODE_CREATE, {"parent": parent.pk})

    form = response.context["form"]
    assert form.initial == {"parent": parent.pk, "industry": electronics["industry"].pk}
    assert set(form.fields["parent"].queryset.values_list("code", flat=True)) == {
        "CHIP",
        "WAFER",
        "PCB",
        "PHONE",
    }
    content = response.content.decode()
    assert f'<option value="{electronics["industry"].pk}" selected>' in content
    assert f'<option value="{parent.pk}" selected>' in content


@pytest.mark.django_db
def test_chain_node_create_preselects_industry_from_query(
    electronics, textiles, coordinator_client
):
    response = coordinator_client.get(NODE_CREATE, {"industry": textiles["industry"].pk})

    form = response.context["form"]
    assert form.initial == {"industry": textiles["industry"].pk}
    assert list(form.fields["parent"].queryset) == [textiles["yarn"]]


@pytest.mark.django_db
def test_chain_node_create_ignores_non_numeric_parent(electronics, coordinator_client):
    response = coordinator_client.get(NODE_CREATE, {"parent": "abc"})

    assert response.status_code == 200
    assert response.context["form"].initial == {}


@pytest.mark.django_db
def test_chain_node_move_to_root_rewrites_descendant_depths(electronics, coordinator_client):
    chips, wafers = electronics["chips"], electronics["wafers"]
    grandchild = ChainNodeFactory(
        industry=electronics["industry"], code="SI", parent=wafers, segment=ChainSegment.UPSTREAM
    )
    assert grandchild.depth == 2
    wafers.refresh_from_db()

    response = coordinator_client.post(
        reverse("industries:node-edit", args=[wafers.pk]),
        node_data(
            parent="",
            code=wafers.code,
            name=wafers.name,
            segment=wafers.segment,
            version=wafers.version,
        ),
    )

    assert response.status_code == 302
    wafers.refresh_from_db()
    grandchild.refresh_from_db()
    assert (wafers.path, wafers.depth, wafers.industry_id) == (
        tree_path(wafers),
        0,
        electronics["industry"].pk,
    )
    assert (grandchild.path, grandchild.depth) == (tree_path(wafers, grandchild), 1)
    chips.refresh_from_db()
    assert (chips.path, chips.depth) == (tree_path(chips), 0)


@pytest.mark.django_db
def test_chain_node_move_deeper_rewrites_descendant_depths(electronics):
    boards, wafers = electronics["boards"], electronics["wafers"]
    child = ChainNodeFactory(industry=electronics["industry"], code="SMD", parent=boards)

    boards.parent = wafers
    boards.save()

    child.refresh_from_db()
    chips = electronics["chips"]
    assert (boards.path, boards.depth) == (tree_path(chips, wafers, boards), 2)
    assert (child.path, child.depth) == (tree_path(chips, wafers, boards, child), 3)


@pytest.mark.django_db
def test_chain_node_cannot_move_under_own_descendant(electronics, coordinator_client):
    chips, wafers = electronics["chips"], electronics["wafers"]

    response = coordinator_client.post(
        reverse("industries:node-edit", args=[chips.pk]),
        node_data(
            parent=wafers.pk,
            code=chips.code,
            name=chips.name,
            segment=chips.segment,
            is_key="on",
            version=chips.version,
        ),
    )

    assert response.status_code == 400
    assert list(response.context["form"].errors) == ["parent"]
    chips.refresh_from_db()
    assert (chips.parent_id, chips.path) == (None, tree_path(chips))


@pytest.mark.django_db
def test_chain_node_edit_cannot_change_industry(electronics, textiles, coordinator_client):
    phones = electronics["phones"]

    response = coordinator_client.post(
        reverse("industries:node-edit", args=[phones.pk]),
        node_data(
            industry=textiles["industry"].pk,
            code=phones.code,
            name="Điện thoại thông minh",
            segment=phones.segment,
            is_key="on",
            version=phones.version,
        ),
    )

    assert response.status_code == 302
    phones.refresh_from_db()
    assert (phones.industry_id, phones.name) == (
        electronics["industry"].pk,
        "Điện thoại thông minh",
    )


@pytest.mark.django_db
def test_chain_node_list_filters(electronics, textiles, coordinator_client):
    by_industry = coordinator_client.get(
        NODE_LIST, {"industry": textiles["industry"].pk, "sort": "code"}
    )
    key_only = coordinator_client.get(NODE_LIST, {"is_key": "true", "sort": "code"})
    upstream = coordinator_client.get(NODE_LIST, {"segment": "upstream", "sort": "code"})
    inactive = coordinator_client.get(NODE_LIST, {"active": "0"})

    def node_codes(response):
        return [obj.code for obj in response.context["page"].object_list]

    assert node_codes(by_industry) == ["SOI"]
    assert node_codes(key_only) == ["CHIP", "CRT", "PHONE"]
    assert node_codes(upstream) == ["CHIP", "SOI", "WAFER"]
    assert node_codes(inactive) == ["CRT"]


@pytest.mark.django_db
def test_chain_node_detail_lists_children(electronics, coordinator_client):
    chips = electronics["chips"]

    response = coordinator_client.get(reverse("industries:node-detail", args=[chips.pk]))

    assert [node.code for node in response.context["children"]] == ["WAFER"]
    assert f"{NODE_CREATE}?parent={chips.pk}" in response.content.decode()
