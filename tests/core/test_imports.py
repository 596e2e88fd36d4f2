"""The import engine through the enterprises importer: all rows or none, per-row scope."""

import io
import time

import pytest
from auditlog.models import LogEntry
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation

from tests.conftest import ENTERPRISE_TAX_CODE
from tests.enterprises.factories import HEADER_EN, read_xlsx, xlsx_file
from tests.factories import (
    ChainNodeFactory,
    ContactFactory,
    EnterpriseFactory,
    IndustryFactory,
    valid_tax_code,
)
from vanco.accounts.enums import Role
from vanco.accounts.models import User
from vanco.core import imports
from vanco.core.identifiers import validate_enterprise_key
from vanco.core.imports import ImportFileError, run_import
from vanco.enterprises.enums import EnterpriseStatus
from vanco.enterprises.models import Enterprise


@pytest.fixture(autouse=True)
def _english_messages(request):
    """These tests compare messages with their English source; their users read English."""
    with translation.override("en"):
        if "world" in request.fixturenames:
            request.getfixturevalue("world")
            User.objects.update(language="en")
        yield


def coordinator(world):
    return world["users"][Role.COORDINATOR]


def test_import_creates_and_updates_by_tax_code(world):
    existing = EnterpriseFactory(
        name="Cũ", tax_code=ENTERPRISE_TAX_CODE, locality=world["district_a"]
    )
    new_code = valid_tax_code(7)
    source = xlsx_file(
        [
            HEADER_EN,
            ["Công ty Mới", new_code, "DB", "Prospect"],
            ["Công ty TNHH Ánh Dương", ENTERPRISE_TAX_CODE, "da-1", "operating"],
        ]
    )
    result = run_import("enterprises", source, user=coordinator(world))
    assert result.error_lines() == []
    assert (result.created, result.updated, result.unchanged) == (1, 1, 0)
    created = Enterprise.objects.get(tax_code=new_code)
    assert (created.name, created.locality, created.status) == (
        "Công ty Mới",
        world["district_b"],
        EnterpriseStatus.PROSPECT,
    )
    assert created.search_text == "cong ty moi " + new_code
    existing.refresh_from_db()
    assert (existing.name, existing.locality, existing.version) == (
        "Công ty TNHH Ánh Dương",
        world["commune_a"],
        2,
    )
    entries = LogEntry.objects.filter(content_type__model="enterprise", actor=coordinator(world))
    assert sorted((e.action, e.actor_id) for e in entries) == [
        (LogEntry.Action.CREATE, coordinator(world).pk),
        (LogEntry.Action.UPDATE, coordinator(world).pk),
    ]
    update = entries.get(action=LogEntry.Action.UPDATE)
    assert update.changes["name"] == ["Cũ", "Công ty TNHH Ánh Dương"]


def test_import_bad_last_row_of_5000_writes_nothing(world):
    rows = [HEADER_EN] + [
        [f"Công ty {n}", valid_tax_code(n), "DA", "operating"] for n in range(5000)
    ]
    rows[-1][1] = "0100109107"  # wrong check digit
    started = time.monotonic()
    result = run_import("enterprises", xlsx_file(rows), user=coordinator(world))
    assert len(result.errors) == 1
    assert (result.errors[0].row, result.errors[0].column) == (5001, "Tax code")
    assert Enterprise.objects.count() == 0
    assert LogEntry.objects.filter(content_type__model="enterprise").count() == 0

    rows[-1][1] = valid_tax_code(5000)
    result = run_import("enterprises", xlsx_file(rows), user=coordinator(world))
    assert (result.ok, result.created) == (True, 5000)
    assert Enterprise.objects.count() == 5000
    assert LogEntry.objects.filter(content_type__model="enterprise").count() == 5000
    assert time.monotonic() - started < 60


def test_import_headers_in_every_language_and_field_names(world):
    with translation.override("vi"):
        vi_name = str(Enterprise._meta.get_field("name").verbose_name)
    header = ["name", "TAX_CODE", "Locality code", "status"]
    source = xlsx_file([header, [vi_name, valid_tax_code(1), "DA", "prospect"]])
    result = run_import("enterprises", source, user=coordinator(world))
    assert (result.ok, result.created) == (True, 1)
    for language in ("vi", "zh-hans"):
        with translation.override(language):
            labels = [str(c.label) for c in imports.get_importer("enterprises").columns[:4]]
        source = xlsx_file([labels, ["A", valid_tax_code(2), "DA", "", ""]])
        result = run_import("enterprises", source, user=coordinator(world), dry_run=True)
        assert (result.error_lines(), result.created) == ([], 1)


def test_import_unknown_column_is_refused(world):
    source = xlsx_file([[*HEADER_EN, "Favourite colour"], ["A", valid_tax_code(1), "DA", "", "x"]])
    with pytest.raises(ImportFileError) as error:
        run_import("enterprises", source, user=coordinator(world))
    assert error.value.messages == [
        "row 1, column Favourite colour: this column is not known; use the template's headers."
    ]


def test_import_missing_required_column_is_refused(world):
    source = xlsx_file([["Name", "Tax code"], ["A", valid_tax_code(1)]])
    with pytest.raises(ImportFileError) as error:
        run_import("enterprises", source, user=coordinator(world))
    assert error.value.messages == ["The column “Locality code” is missing."]


def test_import_renamed_text_file_is_refused(world):
    source = io.BytesIO(b"name,tax code\nA,0100109106\n")
    with pytest.raises(ImportFileError) as error:
        run_import("enterprises", source, user=coordinator(world))
    assert error.value.messages == [
        "The file could not be read as an Excel workbook (.xlsx). Save it from Excel as "
        "“Excel Workbook (*.xlsx)” and try again."
    ]


def test_import_out_of_scope_enterprise_is_a_row_error_never_an_update(world):
    theirs = EnterpriseFactory(name="Của huyện B", locality=world["district_b"])
    source = xlsx_file([HEADER_EN, ["Chiếm", theirs.tax_code, "DA", "operating"]])
    result = run_import("enterprises", source, user=world["users"][Role.LOCALITY])
    assert result.error_lines() == [
        "row 2, column Tax code: an enterprise with this tax code is registered outside the "
        "area you are responsible for; it cannot be changed from here."
    ]
    theirs.refresh_from_db()
    assert (theirs.name, theirs.locality, theirs.version) == ("Của huyện B", world["district_b"], 1)


def test_import_locality_outside_scope_is_a_row_error(world):
    source = xlsx_file(
        [
            HEADER_EN,
            ["Trong", valid_tax_code(1), "DA-1", "operating"],
            ["Ngoài", valid_tax_code(2), "DB", "operating"],
            ["Không có", valid_tax_code(3), "ZZ", "operating"],
        ]
    )
    result = run_import("enterprises", source, user=world["users"][Role.LOCALITY])
    assert result.error_lines() == [
        "row 3, column Locality code: “Huyện Bình Sơn” is outside the area you are responsible "
        "for.",
        "row 4, column Locality code: no locality has the code “ZZ”.",
    ]
    assert Enterprise.objects.count() == 0


def test_import_row_errors_name_the_file_header_and_row(world):
    source = xlsx_file(
        [
            ["Tên", "Tax Code", "Locality code", "Status"],
            ["", valid_tax_code(1), "DA", "operating"],
            ["B", valid_tax_code(1), "DA", "operating"],
            ["C", valid_tax_code(2), "DA", "bankrupt"],
        ]
    )
    with translation.override("en"):
        result = run_import("enterprises", source, user=coordinator(world))
    assert result.error_lines() == [
        "row 2, column Tên: This field is required.",
        "row 3, column Tax Code: the same record already appears in row 2.",
        "row 4, column Status: “bankrupt” is not one of the allowed values: Operating, "
        "Prospect, Closed.",
    ]


def test_import_errors_in_the_users_language(world):
    source = xlsx_file([HEADER_EN, ["", valid_tax_code(1), "DA", "operating"]])
    with translation.override("vi"):
        result = run_import("enterprises", source, user=coordinator(world))
        required = translation.gettext("This field is required.")
    assert required != "This field is required."
    assert result.errors[0].message == required


def test_import_dry_run_writes_nothing(world):
    source = xlsx_file([HEADER_EN, ["A", valid_tax_code(1), "DA", "operating"]])
    result = run_import("enterprises", source, user=coordinator(world), dry_run=True)
    assert (result.ok, result.created, result.written) == (True, 1, False)
    assert Enterprise.objects.count() == 0


@pytest.mark.parametrize("role", [Role.CADRE, Role.AUDITOR, Role.ENTERPRISE, Role.LEADER])
def test_import_without_the_action_is_refused(world, role):
    source = xlsx_file([HEADER_EN, ["A", valid_tax_code(1), "DA", "operating"]])
    with pytest.raises(PermissionDenied):
        run_import("enterprises", source, user=world["users"][role])


def test_import_chain_nodes_by_code(world):
    industry = IndustryFactory(code="CK")
    node = ChainNodeFactory(industry=industry, code="N1")
    source = xlsx_file(
        [
            [*HEADER_EN, "Leading industry code", "Chain node codes"],
            ["A", valid_tax_code(1), "DA", "operating", "ck", "n1"],
            ["B", valid_tax_code(2), "DA", "operating", "", "N1"],
        ]
    )
    result = run_import("enterprises", source, user=coordinator(world))
    assert result.error_lines() == [
        "row 3, column Chain node codes: The chain nodes must belong to the enterprise's "
        "leading industry."
    ]
    source = xlsx_file(
        [
            [*HEADER_EN, "Leading industry code", "Chain node codes"],
            ["A", valid_tax_code(1), "DA", "operating", "ck", "CK/N1"],
        ]
    )
    result = run_import("enterprises", source, user=coordinator(world))
    assert result.created == 1
    assert list(Enterprise.objects.get().chain_nodes.all()) == [node]


def key_error(value: str) -> str:
    try:
        validate_enterprise_key(value)
    except ValidationError as error:
        return error.messages[0]
    raise AssertionError(value)


def _export(user, **params) -> bytes:
    handle = io.BytesIO()
    imports.write_export("enterprises", handle, user=user, params=params)
    return handle.getvalue()


def test_export_reimports_unchanged(world):
    industry = IndustryFactory(code="DT")
    node = ChainNodeFactory(industry=industry, code="UP")
    first = EnterpriseFactory(
        name="=Công ty lạ",
        locality=world["commune_a"],
        industry=industry,
        size="small",
        employees=120,
        notes="Ghi chú\ndòng hai",
        country="CN",
        ownership="foreign",
        tax_code="0100109106-001",
    )
    first.chain_nodes.add(node)
    EnterpriseFactory(locality=world["district_b"], status=EnterpriseStatus.CLOSED)
    ContactFactory(enterprise=first)
    user = coordinator(world)
    data = _export(user)
    before = list(Enterprise.objects.order_by("pk").values())
    result = run_import("enterprises", io.BytesIO(data), user=user)
    assert (result.error_lines(), result.rows, result.created, result.updated) == ([], 2, 0, 0)
    assert result.unchanged == 2
    assert list(Enterprise.objects.order_by("pk").values()) == before
    assert read_xlsx(data)[1][:2] == ["'=Công ty lạ", "0100109106-001"]


def test_export_masks_contacts_unless_allowed(world):
    enterprise = EnterpriseFactory(locality=world["district_a"])
    ContactFactory(enterprise=enterprise, phone="0912345612", email="lien@example.vn")
    coordinator_rows = read_xlsx(_export(coordinator(world)))
    officer_rows = read_xlsx(_export(world["users"][Role.LOCALITY]))
    assert coordinator_rows[1][-2:] == ["0912345612", "lien@example.vn"]
    assert officer_rows[1][-2:] == ["09******12", "l***@example.vn"]


def test_export_is_scoped_and_filtered(world):
    EnterpriseFactory(name="Ánh Dương", locality=world["commune_a"])
    EnterpriseFactory(name="Bình Sơn", locality=world["district_b"])
    EnterpriseFactory(name="Đóng", locality=world["district_a"], status=EnterpriseStatus.CLOSED)
    names = [row[0] for row in read_xlsx(_export(world["users"][Role.LOCALITY]))[1:]]
    assert names == ["Ánh Dương", "Đóng"]
    names = [
        row[0]
        for row in read_xlsx(_export(coordinator(world), status="operating", q="anh duong"))[1:]
    ]
    assert names == ["Ánh Dương"]
    names = [row[0] for row in read_xlsx(_export(coordinator(world), locality="DB"))[1:]]
    assert names == ["Bình Sơn"]


def test_template_has_the_header_in_the_users_language_and_an_example(world):
    handle = io.BytesIO()
    with translation.override("en"):
        imports.template_workbook("enterprises", handle, user=coordinator(world))
    rows = read_xlsx(handle.getvalue())
    assert rows[0][:4] == ["Name", "Tax code", "Locality code", "Leading industry code"]
    assert rows[1][:3] == ["Công ty TNHH Cơ khí Ánh Dương", "0100109106", "DA"]
    # The template's example row imports as it is.
    handle.seek(0)
    result = run_import("enterprises", handle, user=coordinator(world), dry_run=True)
    assert (result.error_lines(), result.created) == ([], 1)


def test_import_command_exits_non_zero_with_the_errors(world, tmp_path, capsys):
    path = tmp_path / "bad.xlsx"
    path.write_bytes(xlsx_file([HEADER_EN, ["A", "123", "DA", "operating"]]).getvalue())
    with pytest.raises(CommandError) as error:
        call_command("import", "enterprises", str(path), "--as", "coordinator")
    assert error.value.returncode == 1
    with translation.override("en"):  # the acting user's language (see _english_messages)
        expected = str(imports.RowError(2, "Tax code", key_error("123")))
    assert capsys.readouterr().err == expected + "\n"
    assert Enterprise.objects.count() == 0


def test_import_and_export_commands_round_trip(world, tmp_path, capsys):
    EnterpriseFactory(name="Ánh Dương", locality=world["district_a"])
    path = tmp_path / "out.xlsx"
    call_command("export", "enterprises", str(path), "--as", "loc_a", "--status", "operating")
    assert capsys.readouterr().out == f"1 rows written to {path}.\n"
    call_command("import", "enterprises", str(path), "--as", "loc_a", "--dry-run")
    assert capsys.readouterr().out == (
        "1 rows: 0 to create, 0 to update, 1 unchanged, 0 errors (dry run: nothing was written).\n"
    )


def test_import_reports_progress(world):
    rows = [HEADER_EN] + [[f"C {n}", valid_tax_code(n), "DA", ""] for n in range(1200)]
    calls = []
    result = run_import(
        "enterprises",
        xlsx_file(rows),
        user=coordinator(world),
        dry_run=True,
        progress=lambda done, total: calls.append((done, total)),
    )
    assert (result.created, calls) == (1200, [(500, 1200), (1000, 1200)])


def test_import_blank_cell_of_a_new_row_takes_the_default(world):
    source = xlsx_file([[*HEADER_EN, "Country"], ["A", valid_tax_code(1), "DA", "", ""]])
    result = run_import("enterprises", source, user=coordinator(world))
    assert result.error_lines() == []
    created = Enterprise.objects.get()
    assert (created.status, created.country) == (EnterpriseStatus.OPERATING, "VN")
