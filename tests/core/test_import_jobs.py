"""Import jobs: the generic import pages of every kind, inline and background runs, progress
outside the import's transaction, the user's language and audit actor, expiry of old files."""

import datetime
import os

import pytest
from auditlog.models import LogEntry
from django.core.management import call_command
from django.db import connection, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.enterprises.factories import HEADER_EN, read_xlsx, xlsx_file
from tests.factories import valid_tax_code
from vanco.accounts.enums import Role
from vanco.core import schedule
from vanco.core.models import ImportJob
from vanco.core.tasks import _Progress, run_import_job, run_job
from vanco.enterprises.models import Enterprise

KINDS = ["enterprises", "projects", "reports"]


def login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def enterprise_rows(count: int, locality: str = "DA") -> list[list]:
    return [HEADER_EN] + [
        [f"Công ty {n}", valid_tax_code(n), locality, "operating"] for n in range(1, count + 1)
    ]


def upload(client, rows, kind="enterprises"):
    response = client.post(reverse("core:import", args=[kind]), {"file": xlsx_file(rows)})
    assert response.status_code == 302
    return ImportJob.objects.order_by("-pk").first()


@pytest.fixture
def data_dir(settings, tmp_path):
    settings.DATA_DIR = tmp_path
    return tmp_path


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize(
    ("role", "status"),
    [
        (Role.COORDINATOR, 200),
        (Role.LOCALITY, 200),
        (Role.LEADER, 403),
        (Role.AUDITOR, 403),
        (Role.DEPARTMENT, 403),
        (Role.CADRE, 403),
        (Role.ENTERPRISE, 403),
    ],
)
def test_import_pages_follow_the_kinds_action(world, kind, role, status):
    client = login(world["users"][role])
    assert client.get(reverse("core:import", args=[kind])).status_code == status
    assert client.get(reverse("core:import-template", args=[kind])).status_code == status


def test_import_page_of_an_unknown_kind_is_404(world):
    client = login(world["users"][Role.COORDINATOR])
    assert client.get("/import/contacts/").status_code == 404
    assert client.get("/import/contacts/template/").status_code == 404


def test_import_page_anonymous_goes_to_login(world):
    response = Client().get(reverse("core:import", args=["projects"]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("kind", KINDS)
def test_import_template_has_the_kinds_header_in_the_users_language(world, kind):
    user = world["users"][Role.COORDINATOR]
    user.language = "en"
    user.save()
    response = login(user).get(reverse("core:import-template", args=[kind]))
    rows = read_xlsx(b"".join(response.streaming_content))
    assert response["Content-Disposition"] == f'attachment; filename="{kind}-template.xlsx"'
    assert len(rows) == 2
    key = {"enterprises": "Tax code", "projects": "Project code", "reports": "Project code"}
    assert key[kind] in rows[0]


def english(user):
    user.language = "en"
    user.save()
    return user


def test_import_page_shows_the_kinds_help_and_template_link(world):
    client = login(english(world["users"][Role.COORDINATOR]))
    response = client.get(reverse("core:import", args=["projects"]))
    assert response.context["template_url"] == "/import/projects/template/"
    assert response.context["list_url"] == reverse("projects:project-list")
    assert str(response.context["kind_help"]).startswith("Rows are matched by project code")


def test_import_job_small_file_runs_inline_check_then_apply(world, data_dir):
    user = world["users"][Role.LOCALITY]
    client = login(user)
    job = upload(client, enterprise_rows(3))
    assert (job.status, job.background, job.rows_total, job.created_count) == (
        "checked",
        False,
        3,
        3,
    )
    assert job.path.parent == data_dir / "imports"
    assert job.path.exists()
    response = client.post(reverse("core:import-job", args=[job.pk]))
    assert response.status_code == 302
    job.refresh_from_db()
    assert (job.status, job.dry_run, job.rows_done, job.created_count) == ("done", False, 3, 3)
    assert Enterprise.objects.count() == 3
    assert job.path.exists() is False


def test_import_job_large_file_runs_in_the_background_and_polls(
    world, data_dir, settings, django_capture_on_commit_callbacks
):
    settings.VANCO_IMPORT_INLINE_ROWS = 2
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
    client = login(world["users"][Role.LOCALITY])
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        job = upload(client, enterprise_rows(3))
    assert len(callbacks) == 1
    assert (job.status, job.background, job.rows_total) == ("queued", True, 3)
    url = reverse("core:import-job", args=[job.pk])
    page = client.get(url).content.decode()
    assert 'hx-trigger="every 2s"' in page
    assert '<noscript><meta http-equiv="refresh" content="3"></noscript>' in page
    fragment = client.get(url, HTTP_HX_REQUEST="true").content.decode()
    assert fragment.lstrip().startswith('<div id="import-job"')
    assert "<html" not in fragment

    assert run_import_job.call(job.pk) == "checked"  # what the worker does
    fragment = client.get(url, HTTP_HX_REQUEST="true").content.decode()
    assert 'data-status="checked"' in fragment
    assert "hx-trigger" not in fragment
    assert "<noscript>" not in client.get(url).content.decode()


def test_import_job_background_with_the_immediate_backend_finishes(
    world, data_dir, settings, django_capture_on_commit_callbacks
):
    settings.VANCO_IMPORT_INLINE_ROWS = 2
    client = login(world["users"][Role.LOCALITY])
    with django_capture_on_commit_callbacks(execute=True):
        job = upload(client, enterprise_rows(3))
    job.refresh_from_db()
    assert (job.status, job.background, job.created_count) == ("checked", True, 3)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("core:import-job", args=[job.pk]))
    job.refresh_from_db()
    assert (job.status, Enterprise.objects.count()) == ("done", 3)


def test_import_job_runs_as_its_user_for_the_audit_log(world, data_dir):
    user = world["users"][Role.LOCALITY]
    client = login(user)
    job = upload(client, enterprise_rows(2))
    client.post(reverse("core:import-job", args=[job.pk]))
    actors = set(
        LogEntry.objects.get_for_objects(Enterprise.objects.all()).values_list(
            "actor_id", flat=True
        )
    )
    assert actors == {user.pk}


def test_import_job_errors_are_in_the_users_language(world, data_dir):
    user = world["users"][Role.LOCALITY]
    user.language = "vi"
    user.save()
    client = login(user)
    job = upload(client, enterprise_rows(1, locality="DB"))
    assert job.language == "vi"
    assert job.status == "failed"
    assert job.error_count == 1
    assert job.errors[0].startswith("dòng 2, cột “Locality code”: ")
    # The file of a failed job is removed at once.
    assert job.path.exists() is False


def test_import_job_errors_are_capped_but_counted(world, data_dir, settings):
    settings.VANCO_IMPORT_INLINE_ROWS = 10_000
    client = login(english(world["users"][Role.LOCALITY]))
    job = upload(client, enterprise_rows(ImportJob.MAX_ERRORS + 3, locality="DB"))
    assert (job.status, job.error_count, len(job.errors)) == (
        "failed",
        ImportJob.MAX_ERRORS + 3,
        ImportJob.MAX_ERRORS,
    )
    page = client.get(reverse("core:import-job", args=[job.pk])).content.decode()
    assert f"Only the first {ImportJob.MAX_ERRORS} errors are listed." in page


def test_import_job_refuses_a_file_that_is_not_a_workbook(world, data_dir):
    user = world["users"][Role.COORDINATOR]
    user.language = "en"
    user.save()
    client = login(user)
    handle = xlsx_file([["x"]])
    handle.name = "notes.txt"
    response = client.post(reverse("core:import", args=["projects"]), {"file": handle})
    assert response.status_code == 400
    assert response.context["problems"] == ["Only Excel workbooks (.xlsx) can be imported."]
    assert ImportJob.objects.count() == 0


def test_import_job_of_another_user_is_404(world, data_dir):
    owner = world["users"][Role.LOCALITY]
    job = upload(login(owner), enterprise_rows(1))
    url = reverse("core:import-job", args=[job.pk])
    for other in (world["users"][Role.COORDINATOR], world["others"]["loc_b"]):
        client = login(other)
        assert client.get(url).status_code == 404
        assert client.post(url).status_code == 404
    job.refresh_from_db()
    assert (job.status, Enterprise.objects.count()) == ("checked", 0)


def test_import_job_owner_without_the_action_any_more_gets_403(world, data_dir):
    owner = world["users"][Role.LOCALITY]
    job = upload(login(owner), enterprise_rows(1))
    owner.role_assignments.all().delete()
    client = login(owner)
    assert client.get(reverse("core:import-job", args=[job.pk])).status_code == 403
    assert client.post(reverse("core:import-job", args=[job.pk])).status_code == 403


@pytest.mark.django_db(transaction=True)
def test_import_job_progress_is_committed_outside_the_imports_transaction(world, data_dir):
    """Progress UPDATEs run in autocommit (visible to the polling page at once, SQLite's write
    lock held for one statement); the import's INSERTs run inside its own transaction."""
    client = login(world["users"][Role.LOCALITY])
    job = upload(client, enterprise_rows(3))
    seen = []

    def record(execute, sql, params, many, context):
        seen.append((sql, connection.in_atomic_block))
        return execute(sql, params, many)

    job = ImportJob.objects.create(
        user=world["users"][Role.LOCALITY],
        kind="enterprises",
        stored_name=job.stored_name,
        original_name="big.xlsx",
        language="en",
        dry_run=False,
    )
    (data_dir / "imports" / job.stored_name).write_bytes(
        xlsx_file(enterprise_rows(1200)).getvalue()
    )
    with connection.execute_wrapper(record):
        assert run_job(job.pk) == "done"
    progress = [
        atomic for sql, atomic in seen if sql.startswith('UPDATE "core_importjob" SET "rows_done"')
    ]
    inserts = [atomic for sql, atomic in seen if sql.startswith('INSERT INTO "enterprises_')]
    assert progress == [False, False]  # after rows 500 and 1000
    assert inserts and set(inserts) == {True}
    job.refresh_from_db()
    assert (job.status, job.rows_done, job.created_count) == ("done", 1200, 1200)


def test_import_job_progress_inside_a_transaction_is_not_written(world, data_dir):
    job = upload(login(world["users"][Role.LOCALITY]), enterprise_rows(1))
    progress = _Progress(job.pk)
    with transaction.atomic():
        progress(500, 900)
    job.refresh_from_db()
    assert (progress.writes, job.rows_done) == (0, 1)
    progress(600, 900)
    job.refresh_from_db()
    assert (progress.writes, job.rows_done, job.rows_total) == (1, 600, 900)


def test_expire_import_jobs_removes_day_old_files(world, data_dir):
    client = login(world["users"][Role.LOCALITY])
    old, fresh = upload(client, enterprise_rows(1)), upload(client, enterprise_rows(1))
    done = upload(client, enterprise_rows(1))
    client.post(reverse("core:import-job", args=[done.pk]))
    two_days_ago = timezone.now() - datetime.timedelta(days=2)
    ImportJob.objects.filter(pk__in=[old.pk, done.pk]).update(updated_at=two_days_ago)
    stray = data_dir / "imports" / "stray.xlsx"
    stray.write_bytes(b"x")
    os.utime(stray, (two_days_ago.timestamp(), two_days_ago.timestamp()))
    call_command("expire_import_jobs", stdout=open(os.devnull, "w"))  # noqa: SIM115
    statuses = dict(ImportJob.objects.values_list("pk", "status"))
    assert statuses == {old.pk: "expired", fresh.pk: "checked", done.pk: "done"}
    assert (old.path.exists(), fresh.path.exists(), stray.exists()) == (False, True, False)
    page = client.get(reverse("core:import-job", args=[old.pk]))
    assert page.status_code == 200
    assert client.post(reverse("core:import-job", args=[old.pk])).status_code == 400


def test_expire_import_jobs_fails_a_job_whose_worker_died_and_spares_a_live_one(world, data_dir):
    from vanco.core.tasks import expire_jobs

    client = login(world["users"][Role.LOCALITY])
    dead, live = upload(client, enterprise_rows(1)), upload(client, enterprise_rows(1))
    two_days_ago = timezone.now() - datetime.timedelta(days=2)
    ImportJob.objects.filter(pk=dead.pk).update(status="running", updated_at=two_days_ago)
    # Uploaded two days ago but taken up by the worker just now: not expired.
    ImportJob.objects.filter(pk=live.pk).update(status="running", created_at=two_days_ago)
    assert expire_jobs() == 1
    statuses = dict(ImportJob.objects.values_list("pk", "status"))
    assert statuses == {dead.pk: "failed", live.pk: "running"}
    assert (dead.path.exists(), live.path.exists()) == (False, True)


def test_expire_import_jobs_is_scheduled_hourly():
    jobs = {job.command: job.every_minutes for job in schedule.jobs()}
    assert jobs["expire_import_jobs"] == 60
