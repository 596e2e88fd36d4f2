import io
import zipfile
from decimal import Decimal

import pytest
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404
from django.utils import translation

from tests.factories import EnterpriseFactory, ProgressReportFactory, ProjectFactory
from vanco.accounts.enums import Role
from vanco.core.uploads import check_upload, sanitize_filename
from vanco.projects import services
from vanco.projects.models import Attachment

MINIMAL_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 17
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 20
WEBP = b"RIFF\x24\x00\x00\x00WEBPVP8 " + b"\x00" * 20
OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 48

ALLOWED_LIST = "pdf, jpg, jpeg, png, webp, docx, xlsx, pptx, doc, xls, txt, csv"
WORD_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
EXCEL_MAIN = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"


def ooxml(main_type: str | None) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as package:
        if main_type is not None:
            package.writestr(
                "[Content_Types].xml",
                '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/'
                'package/2006/content-types"><Override PartName="/main.xml" '
                f'ContentType="{main_type}"/></Types>',
            )
        package.writestr("main.xml", "<x/>")
    return buffer.getvalue()


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


@pytest.fixture(autouse=True)
def _english_and_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    with translation.override("en"):
        yield


@pytest.fixture
def officer_a(world):
    return world["users"][Role.LOCALITY]


@pytest.fixture
def project(world):
    return ProjectFactory(
        investor=EnterpriseFactory(locality=world["district_a"]), signed_amount=Decimal("1")
    )


def mismatch(extension: str) -> dict:
    return {
        "file": [
            f"The content of the file does not match its extension .{extension}. "
            "Save it again in the right format and upload it."
        ]
    }


# --- type checks ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content", "content_type"),
    [
        ("hop-dong.pdf", MINIMAL_PDF, "application/pdf"),
        ("anh.JPG", JPEG, "image/jpeg"),
        ("anh.jpeg", JPEG, "image/jpeg"),
        ("anh.png", PNG, "image/png"),
        ("anh.webp", WEBP, "image/webp"),
        (
            "bien-ban.docx",
            ooxml(WORD_MAIN),
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
        (
            "so-lieu.xlsx",
            ooxml(EXCEL_MAIN),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ),
        (
            "trinh-chieu.pptx",
            ooxml(
                "application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml"
            ),
            "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        ),
        ("cu.doc", OLE2, "application/msword"),
        ("cu.xls", OLE2, "application/vnd.ms-excel"),
        ("ghi-chu.txt", "Tiến độ đạt 40 %".encode(), "text/plain; charset=utf-8"),
        ("bang.csv", "mã,tên\nDA-1,Nhà máy\n".encode(), "text/csv; charset=utf-8"),
    ],
)
def test_check_upload_accepts_real_files(name, content, content_type):
    checked = check_upload(upload(name, content))
    assert (checked.name, checked.content_type, checked.size) == (name, content_type, len(content))


@pytest.mark.parametrize(
    ("name", "content", "extension"),
    [
        ("anh-doi-ten.pdf", PNG, "pdf"),
        ("setup.jpg", EXE, "jpg"),
        ("anh.png", JPEG, "png"),
        ("anh.webp", b"RIFF\x24\x00\x00\x00WAVEfmt " + b"\x00" * 8, "webp"),
        ("so-lieu.docx", ooxml(EXCEL_MAIN), "docx"),
        ("macro.xlsx", ooxml("application/vnd.ms-excel.sheet.macroEnabled.main+xml"), "xlsx"),
        ("rong.xlsx", ooxml(None), "xlsx"),
        ("hong.docx", b"PK\x03\x04 not really a zip", "docx"),
        ("cu.doc", MINIMAL_PDF, "doc"),
        ("nhi-phan.txt", b"abc\x00def", "txt"),
        ("latin1.csv", "mã".encode("latin-1"), "csv"),
    ],
)
def test_check_upload_refuses_content_that_does_not_match(name, content, extension):
    with pytest.raises(ValidationError) as caught:
        check_upload(upload(name, content))
    assert caught.value.message_dict == mismatch(extension)


@pytest.mark.parametrize("name", ["setup.exe", "script.js", "trang.html", "anh.svg", "khong-duoi"])
def test_check_upload_refuses_other_types(name):
    with pytest.raises(ValidationError) as caught:
        check_upload(upload(name, EXE))
    assert caught.value.message_dict == {
        "file": [f"This type of file cannot be attached. Allowed types: {ALLOWED_LIST}."]
    }


def test_check_upload_size_limit_from_setting(settings):
    settings.VANCO_ATTACHMENT_MAX_MB = 1
    exact = MINIMAL_PDF + b" " * (1024 * 1024 - len(MINIMAL_PDF))
    assert check_upload(upload("vua.pdf", exact)).size == 1024 * 1024
    with pytest.raises(ValidationError) as caught:
        check_upload(upload("lon.pdf", exact + b" "))
    assert caught.value.message_dict == {
        "file": ["The file is too large: at most 1 MB is allowed."]
    }


def test_check_upload_default_limit_is_20_mb(settings):
    if hasattr(settings, "VANCO_ATTACHMENT_MAX_MB"):
        del settings.VANCO_ATTACHMENT_MAX_MB
    big = MINIMAL_PDF + b" " * (20 * 1024 * 1024)
    with pytest.raises(ValidationError) as caught:
        check_upload(upload("lon.pdf", big))
    assert caught.value.message_dict == {
        "file": ["The file is too large: at most 20 MB is allowed."]
    }


def test_check_upload_empty_file_refused():
    with pytest.raises(ValidationError) as caught:
        check_upload(upload("rong.pdf", b""))
    assert caught.value.message_dict == {"file": ["The file is empty."]}


# --- names ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("../../etc/passwd.pdf", "passwd.pdf"),
        ("..\\..\\Windows\\system32\\hop-dong.pdf", "hop-dong.pdf"),
        ("C:\\Users\\Lan\\Hợp đồng thuê đất.pdf", "Hợp đồng thuê đất.pdf"),
        ("Bie\u0302n ba\u0309n.docx", "Biên bản.docx"),  # NFD from macOS becomes NFC
        ("hoa\u0301\u202egpj.exe", "hoágpj.exe"),  # right-to-left override removed
        ("bao\x00cao\n\tthang 5.txt", "baocao thang 5.txt"),
        ('a<b>:c"d|e?f*.csv', "a_b__c_d_e_f_.csv"),
        ("  ...ẩn.pdf.  ", "ẩn.pdf"),
        ("项目合同.pdf", "项目合同.pdf"),
        ("", "file"),
        ("../", "file"),
    ],
)
def test_sanitize_filename_cases(raw, clean):
    assert sanitize_filename(raw) == clean


def test_sanitize_filename_limits_length_keeping_extension():
    name = sanitize_filename("Đ" * 300 + ".xlsx")
    assert (len(name), name[-5:], name[:3]) == (120, ".xlsx", "ĐĐĐ")


# --- add_attachment -------------------------------------------------------------------------


def test_add_attachment_stores_under_random_name(world, officer_a, project):
    attachment = services.add_attachment(
        actor=officer_a,
        project=project,
        uploaded_file=upload("../Hợp đồng.pdf", MINIMAL_PDF),
        description=" Hợp đồng nguyên tắc ",
    )
    attachment.refresh_from_db()
    assert (
        attachment.original_name,
        attachment.content_type,
        attachment.size,
        attachment.description,
        attachment.uploaded_by,
    ) == ("Hợp đồng.pdf", "application/pdf", len(MINIMAL_PDF), "Hợp đồng nguyên tắc", officer_a)
    assert attachment.file.name.startswith("attachments/")
    assert "Hợp" not in attachment.file.name
    with attachment.file.open("rb") as stored:
        assert stored.read() == MINIMAL_PDF
    project.refresh_from_db()
    assert project.last_activity_at is not None


def test_add_attachment_is_audited_with_actor(world, officer_a, project):
    attachment = services.add_attachment(
        actor=officer_a, project=project, uploaded_file=upload("a.png", PNG)
    )
    entries = LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(Attachment), object_pk=str(attachment.pk)
    )
    assert [(e.action, e.actor) for e in entries] == [(LogEntry.Action.CREATE, officer_a)]


def test_add_attachment_refused_file_writes_nothing(world, officer_a, project, settings):
    with pytest.raises(ValidationError):
        services.add_attachment(
            actor=officer_a, project=project, uploaded_file=upload("anh.pdf", PNG)
        )
    assert Attachment.objects.count() == 0
    assert not (settings.MEDIA_ROOT / "attachments").exists()


def test_add_attachment_to_a_report_of_the_project(world, officer_a, project):
    report = ProgressReportFactory(project=project)
    attachment = services.add_attachment(
        actor=officer_a, project=project, uploaded_file=upload("a.jpg", JPEG), report=report
    )
    assert attachment.report == report


def test_add_attachment_report_of_another_project_refused(world, officer_a, project):
    other_report = ProgressReportFactory(
        project=ProjectFactory(investor=EnterpriseFactory(locality=world["district_a"]))
    )
    with pytest.raises(ValidationError) as caught:
        services.add_attachment(
            actor=officer_a,
            project=project,
            uploaded_file=upload("a.jpg", JPEG),
            report=other_report,
        )
    assert caught.value.message_dict == {"report": ["The report must belong to this project."]}


def test_add_attachment_out_of_scope_is_404_before_any_check(world, project):
    with pytest.raises(Http404):
        services.add_attachment(
            actor=world["others"]["loc_b"], project=project, uploaded_file=upload("x.exe", EXE)
        )
    assert Attachment.objects.count() == 0


@pytest.mark.parametrize("role", [Role.LEADER, Role.AUDITOR])
def test_add_attachment_read_only_role_is_403(world, project, role):
    with pytest.raises(PermissionDenied):
        services.add_attachment(
            actor=world["users"][role], project=project, uploaded_file=upload("a.png", PNG)
        )


# --- downloads ------------------------------------------------------------------------------


@pytest.fixture
def stored(world, officer_a, project):
    return services.add_attachment(
        actor=officer_a, project=project, uploaded_file=upload("Biên bản họp.pdf", MINIMAL_PDF)
    )


@pytest.mark.parametrize("who", [Role.LOCALITY, Role.COORDINATOR, Role.LEADER, Role.AUDITOR])
def test_attachment_response_sends_download_to_those_who_see_it(world, stored, who):
    response = services.attachment_response(actor=world["users"][who], attachment=stored)
    body = b"".join(response.streaming_content)
    response.close()
    assert body == MINIMAL_PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        "attachment; filename*=utf-8''Bi%C3%AAn%20b%E1%BA%A3n%20h%E1%BB%8Dp.pdf"
    )
    assert response["X-Content-Type-Options"] == "nosniff"


def test_attachment_response_accepts_a_primary_key(world, officer_a, stored):
    response = services.attachment_response(actor=officer_a, attachment=stored.pk)
    response.close()
    assert response.status_code == 200


@pytest.mark.parametrize("who", ["loc_b", "dept_b"])
def test_attachment_response_other_locality_gets_404(world, stored, who):
    with pytest.raises(Http404):
        services.attachment_response(actor=world["others"][who], attachment=stored)


@pytest.mark.parametrize("role", [Role.DEPARTMENT, Role.CADRE, Role.ENTERPRISE])
def test_attachment_response_roles_outside_scope_get_404(world, stored, role):
    with pytest.raises(Http404):
        services.attachment_response(actor=world["users"][role], attachment=stored)


def test_attachment_response_missing_file_is_404(world, officer_a, stored):
    stored.file.storage.delete(stored.file.name)
    with pytest.raises(Http404):
        services.attachment_response(actor=officer_a, attachment=stored)
