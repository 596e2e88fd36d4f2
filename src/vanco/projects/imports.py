"""The project rows of `vanco import` / `vanco export` (Excel), on the generic engine.

A row without a project code creates a project (its code is generated like
`services.create_project` does, it starts as a lead); a row with a code updates that project if
the acting user may edit it; a code that no project has is an error (codes are generated, never
typed). The stage is exported for reading and ignored on import: stages change only through the
project's stage transitions.
"""

import datetime
from collections import defaultdict
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from vanco.core import access, imports
from vanco.core.imports import ImportColumn, choice_label, choice_to_form
from vanco.core.services import StaleEditError
from vanco.enterprises.models import Enterprise
from vanco.industries.models import ChainNode, Industry
from vanco.org.models import Locality
from vanco.projects import codes
from vanco.projects.dispatch import (
    SUBMITTABLE,
    previous_report,
    recompute_lights,
    refresh_project_figures,
)
from vanco.projects.enums import (
    LeadSource,
    PeriodStatus,
    ProjectType,
    ReportStatus,
    Stage,
    TaskForce,
)
from vanco.projects.forms import ProjectForm
from vanco.projects.forms_dispatch import REPORT_FIELDS, ReportForm
from vanco.projects.models import DispatchPeriod, ProgressReport, Project


def _code(value: Any, importer) -> str:
    code = imports.text(value).upper()
    if code and code not in importer.cache["existing_codes"]:
        raise ValidationError(
            _(
                "no project has the code “%(code)s”. Leave the code empty to register a new "
                "project: its code is given automatically."
            ),
            params={"code": value},
        )
    return code


def _chain_node(value: Any, importer) -> Any:
    token = imports.text(value)
    return imports.chain_node_pk(token, importer) if token else ""


def _export_node(obj: Project, importer) -> str:
    return imports.chain_node_code(obj.chain_node, importer) if obj.chain_node else ""


def _raw(value: Any, importer) -> Any:
    return "" if value is None else value


def _flag(value: Any, importer) -> bool:
    if isinstance(value, bool):
        return value
    text = imports.text(value).lower()
    return text in ("1", "true", "yes", "x", "có", "co", "是", "đúng")


def _ignored_value(value: Any, importer) -> None:
    return None


def _import_form(importer):
    """ProjectForm, which also gives a new project its code, first stage and activity date.

    The codes of a file's new projects follow each other from the highest code of the year."""

    class ProjectImportForm(ProjectForm):
        def save(self, commit=True):
            project = super().save(commit=False)
            if not project.pk and not project.code:
                project.code = importer.new_code()
                project.stage = Stage.LEAD
                project.last_activity_at = importer.cache["now"]
            project.refresh_major()
            if commit:  # not used by the engine; kept for a plain form's contract
                project.save()
                self.save_m2m()
            return project

    return ProjectImportForm


class ProjectImporter(imports.Importer):
    model = Project
    form_class = ProjectForm
    key_field = "code"
    action = "projects.manage"
    title = _("Projects")
    columns = [
        ImportColumn("code", _("Project code"), to_form=_code, required=True, example=""),
        ImportColumn(
            "name",
            _("Name"),
            to_form=imports.text_cell,
            required=True,
            example="Nhà máy linh kiện điện tử Ánh Dương",
        ),
        ImportColumn(
            "stage",
            _("Stage (read only: change it with a stage transition)"),
            ignored=True,
            from_object=choice_label("stage"),
        ),
        ImportColumn(
            "investor",
            _("Investor tax code"),
            to_form=imports.lookup(
                "investors", _("no enterprise you can see has the tax code “%(code)s”.")
            ),
            from_object=imports.related_attr("investor", "tax_code"),
            example="0100109106",
        ),
        ImportColumn(
            "investor_name",
            _("Investor name"),
            ignored=True,
            from_object=imports.related_attr("investor", "name"),
        ),
        ImportColumn(
            "industry",
            _("Leading industry code"),
            to_form=imports.lookup("industries", _("no leading industry has the code “%(code)s”.")),
            from_object=imports.related_attr("industry", "code"),
            example="DT",
        ),
        ImportColumn(
            "chain_node",
            _("Chain node code"),
            to_form=_chain_node,
            from_object=_export_node,
            example="",
        ),
        ImportColumn(
            "locality",
            _("Locality code"),
            to_form=imports.lookup("localities", _("no locality has the code “%(code)s”.")),
            from_object=imports.related_attr("locality", "code"),
            example="DA",
        ),
        ImportColumn(
            "task_force",
            _("Task force"),
            to_form=choice_to_form(TaskForce.choices),
            from_object=choice_label("task_force"),
            example=TaskForce.PROMOTION.label,
        ),
        ImportColumn(
            "leader",
            _("Leader in charge (user name)"),
            to_form=imports.lookup(
                "users",
                upper=False,
                message=_("no active user you can see has the user name “%(code)s”."),
            ),
            from_object=imports.related_attr("leader", "username"),
            example="",
        ),
        ImportColumn(
            "officer",
            _("Project officer (user name)"),
            to_form=imports.lookup(
                "users",
                upper=False,
                message=_("no active user you can see has the user name “%(code)s”."),
            ),
            from_object=imports.related_attr("officer", "username"),
            example="",
        ),
        ImportColumn(
            "project_type",
            _("Type"),
            to_form=choice_to_form(ProjectType.choices),
            from_object=choice_label("project_type"),
            example=ProjectType.NEW.label,
        ),
        ImportColumn(
            "lead_source",
            _("Source of the lead"),
            to_form=choice_to_form(LeadSource.choices),
            from_object=choice_label("lead_source"),
            example="",
        ),
        ImportColumn(
            "planned_investment", _("Planned total investment"), to_form=_raw, example=250
        ),
        ImportColumn("signed_amount", _("Signed amount"), to_form=_raw, example=""),
        ImportColumn("planned_signing_date", _("Planned signing date"), to_form=_raw, example=""),
        ImportColumn("planned_start_date", _("Planned start date"), to_form=_raw, example=""),
        ImportColumn(
            "planned_completion_date", _("Planned completion date"), to_form=_raw, example=""
        ),
        ImportColumn(
            "planned_operation_date", _("Planned operation date"), to_form=_raw, example=""
        ),
        ImportColumn("land_area", _("Land area (ha)"), to_form=_raw, example=""),
        ImportColumn("jobs_planned", _("Jobs planned"), to_form=_raw, example=""),
        ImportColumn("latitude", _("Latitude"), to_form=_raw, example=""),
        ImportColumn("longitude", _("Longitude"), to_form=_raw, example=""),
        ImportColumn("major_flag", _("Marked as major"), to_form=_flag, example=False),
        ImportColumn("notes", _("Notes"), to_form=imports.text_cell, example=""),
        # Derived from the planned investment and the flag; exported for reading. Listed so
        # that the engine's bulk update writes the recomputed value.
        ImportColumn("is_major", _("Major project (computed)"), to_form=_ignored_value, example=""),
    ]

    def __init__(self, user):
        super().__init__(user)
        self.form_class = _import_form(self)
        self._next_number: tuple[int, int] | None = None

    def normalise_key(self, value):
        return imports.text(value).upper()

    def new_code(self) -> str:
        """The next generated code, counting the new rows of this file."""
        if self._next_number is None:
            year = timezone.localdate().year
            parsed = codes.parse_code(codes.next_code(year))
            self._next_number = (year, parsed[1] if parsed else 1)
        year, number = self._next_number
        self._next_number = (year, number + 1)
        return codes.format_code(year, number)

    def form_data(self, instance):
        data = super().form_data(instance)
        data.pop("is_major", None)
        if instance is None:
            data["initial_stage"] = Stage.LEAD
        return data

    def prepare(self, rows):
        wanted = sorted({imports.text(row.get("code")).upper() for row in rows} - {""})
        existing = set()
        for start in range(0, len(wanted), imports.BATCH_SIZE):
            existing.update(
                Project.objects.filter(
                    code__in=wanted[start : start + imports.BATCH_SIZE]
                ).values_list("code", flat=True)
            )
        self.cache["existing_codes"] = existing
        self.cache["now"] = timezone.now()
        tax_codes = {imports.text(row.get("investor")).upper() for row in rows} - {""}
        self.cache["investors"] = {}
        tax_list = sorted(tax_codes)
        for start in range(0, len(tax_list), imports.BATCH_SIZE):
            for enterprise in Enterprise.objects.visible_to(self.user).filter(
                tax_code__in=tax_list[start : start + imports.BATCH_SIZE]
            ):
                self.cache["investors"][enterprise.tax_code.upper()] = enterprise
        self.cache["industries"] = {
            ind.code.upper(): ind for ind in Industry.objects.visible_to(self.user)
        }
        nodes = defaultdict(list)
        for node in ChainNode.objects.visible_to(self.user).select_related("industry"):
            nodes[node.code.upper()].append(node)
        self.cache["nodes"] = nodes
        self.cache["localities"] = {
            loc.code.upper(): loc for loc in Locality.objects.visible_to(self.user)
        }
        self.cache["users"] = {
            u.username: u
            for u in get_user_model()._default_manager.visible_to(self.user).filter(is_active=True)
        }

    def out_of_scope_message(self):
        return str(
            _(
                "this project is outside the area you are responsible for; it cannot be "
                "changed from here."
            )
        )

    def export_columns(self):
        counts = defaultdict(int)
        for code in ChainNode.objects.visible_to(self.user).values_list("code", flat=True):
            counts[code] += 1
        self.cache["node_code_counts"] = counts
        return self.columns

    def export_queryset(self, params):
        qs = access.visible(Project, self.user)
        stage = str(params.get("status") or params.get("stage") or "").strip()
        if stage:
            qs = qs.filter(stage=stage)
        code = str(params.get("locality") or "").strip().upper()
        if code:
            locality = Locality.objects.visible_to(self.user).filter(code=code).first()
            if locality is None:
                raise imports.ImportFileError(
                    [str(_("no locality has the code “%(code)s”.") % {"code": code})]
                )
            qs = qs.filter(locality__path__startswith=locality.path)
        return qs.select_related(
            "investor", "industry", "locality", "leader", "officer", "chain_node__industry"
        ).order_by("code", "pk")


imports.register("projects", ProjectImporter)


# --- progress reports -------------------------------------------------------------------------
#
# A report row is keyed by (project code, period), which is not one field of the model, and an
# imported report is *submitted* (status, submitter, then the project's figures and light are
# recomputed), which the generic engine's bulk field update cannot express. `import_reports`
# therefore drives the import itself, reusing the engine's reading, header matching, error and
# audit helpers, ReportForm and the dispatch helpers: all rows or none, per-row scope checks.


def _report_project_code(obj: ProgressReport, importer) -> str:
    return obj.project.code


class ReportImporter(imports.Importer):
    model = ProgressReport
    form_class = ReportForm
    key_field = "project"
    action = "reports.submit"
    title = _("Progress reports")
    columns = [
        ImportColumn(
            "project",
            _("Project code"),
            from_object=_report_project_code,
            required=True,
            example="DA-2026-00001",
        ),
        ImportColumn(
            "project_name",
            _("Project name"),
            ignored=True,
            from_object=lambda o, i: o.project.name,
        ),
        ImportColumn(
            "period",
            _("Period"),
            from_object=lambda o, i: o.period.label,
            required=True,
            example="11/2026",
        ),
        ImportColumn(
            "status",
            _("Report status (read only)"),
            ignored=True,
            from_object=choice_label("status"),
        ),
        ImportColumn("progress_percent", _("Physical progress (%)"), to_form=_raw, example=35),
        ImportColumn(
            "progress_drop_reason",
            _("Why progress went down"),
            to_form=imports.text_cell,
            example="",
        ),
        ImportColumn(
            "funds_this_period", _("Funds in place this period"), to_form=_raw, example=12.5
        ),
        ImportColumn("jobs_created", _("Jobs created this period"), to_form=_raw, example=20),
        ImportColumn(
            "narrative",
            _("Progress this period"),
            to_form=imports.text_cell,
            example="Hoàn thành móng nhà xưởng số 1.",
        ),
        ImportColumn("milestones", _("Milestones reached"), to_form=imports.text_cell, example=""),
        ImportColumn("next_steps", _("Next steps"), to_form=imports.text_cell, example=""),
        ImportColumn("obstacles_text", _("Obstacles"), to_form=imports.text_cell, example=""),
        ImportColumn(
            "submitted_at",
            _("Submitted at (read only)"),
            ignored=True,
            from_object=lambda o, i: o.submitted_at,
        ),
    ]

    def run(self, source, *, dry_run=False, progress=None):
        """Reports are submitted, not upserted: this importer drives its own import (the
        engine's run_import hands over to it)."""
        return import_reports(source, user=self.user, dry_run=dry_run, progress=progress)

    def export_queryset(self, params):
        qs = access.visible(ProgressReport, self.user)
        period = str(params.get("period") or "").strip()
        if period:
            qs = (
                qs.filter(period__label=period)
                if not period.isdigit()
                else qs.filter(period_id=period)
            )
        status = str(params.get("status") or "").strip()
        if status:
            qs = qs.filter(status=status)
        code = str(params.get("locality") or "").strip().upper()
        if code:
            locality = Locality.objects.visible_to(self.user).filter(code=code).first()
            if locality is None:
                raise imports.ImportFileError(
                    [str(_("no locality has the code “%(code)s”.") % {"code": code})]
                )
            qs = qs.filter(project__locality__path__startswith=locality.path)
        return qs.select_related("project", "period", "submitted_by").order_by(
            "-period__starts_on", "project__code", "pk"
        )


def _period_key(value: Any) -> Any:
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    return imports.text(value)


def import_reports(
    source,
    *,
    user,
    dry_run: bool = False,
    progress=None,
    today: datetime.date | None = None,
) -> imports.ImportResult:
    """Fill in and submit the report slots of a workbook, as `dispatch.submit_report` does for
    each: same form, same refusals (closed period, accepted report, out of scope), then the
    projects' funds in place, progress and lights are recomputed. All rows or none.

    A row whose figures and texts equal the stored report is unchanged (re-importing an export
    of submitted reports writes nothing)."""
    from vanco.core.audit import acting_as

    importer = ReportImporter(user)
    access.require(user, importer.action)
    today = today or timezone.localdate()
    result = imports.ImportResult(kind="reports", dry_run=dry_run)
    rows = imports.read_rows(source)
    while rows and all(imports._is_blank(cell) for cell in rows[0]):
        rows = rows[1:]
    if not rows:
        raise imports.ImportFileError(
            [str(_("The file is empty: the first row must hold the column headers."))]
        )
    mapping, problems = imports._map_header(rows[0], importer.columns, None)
    if problems:
        raise imports.ImportFileError(problems)
    labels = {column.name: label for column, label in mapping.values()}
    parsed = []
    for number, raw in enumerate(rows[1:], start=2):
        if all(imports._is_blank(cell) for cell in raw):
            continue
        cells = {}
        for index, (column, _label) in mapping.items():
            if not column.ignored:
                value = raw[index] if index < len(raw) else None
                cells[column.name] = imports._clean_cell(value)
        parsed.append((number, cells))
    result.rows = len(parsed)

    # Lookups, once per file.
    codes_wanted = sorted({imports.text(c.get("project")).upper() for _n, c in parsed} - {""})
    projects = {}
    for start in range(0, len(codes_wanted), imports.BATCH_SIZE):
        for project in Project.objects.visible_to(user).filter(
            code__in=codes_wanted[start : start + imports.BATCH_SIZE]
        ):
            projects[project.code.upper()] = project
    periods_by_key = defaultdict(list)
    for period in DispatchPeriod.objects.all():
        periods_by_key[period.label].append(period)
        periods_by_key[period.starts_on].append(period)
    slots = {}
    project_ids = [p.pk for p in projects.values()]
    for start in range(0, len(project_ids), imports.BATCH_SIZE):
        for report in ProgressReport.objects.filter(
            project_id__in=project_ids[start : start + imports.BATCH_SIZE]
        ).select_related("period", "project"):
            slots[(report.project_id, report.period_id)] = report
    editable = set()
    report_ids = [r.pk for r in slots.values()]
    for start in range(0, len(report_ids), imports.BATCH_SIZE):
        editable.update(
            ProgressReport.objects.editable_by(user)
            .filter(pk__in=report_ids[start : start + imports.BATCH_SIZE])
            .values_list("pk", flat=True)
        )

    def error(number, name, message):
        result.errors.append(imports.RowError(number, labels.get(name, ""), str(message)))

    pending: list[imports._Pending] = []
    seen: dict[int, int] = {}
    for done, (number, cells) in enumerate(parsed, start=1):
        if progress is not None and done % imports.PROGRESS_EVERY == 0:
            progress(done, len(parsed))
        code = imports.text(cells.get("project")).upper()
        project = projects.get(code)
        if project is None:
            error(
                number,
                "project",
                _("no project you can see has the code “%(code)s”.") % {"code": code},
            )
            continue
        key = _period_key(cells.get("period"))
        candidates = [
            slots[(project.pk, period.pk)]
            for period in periods_by_key.get(key, [])
            if (project.pk, period.pk) in slots
        ]
        if not candidates:
            error(
                number,
                "period",
                _("the project has no report to fill in for the period “%(period)s”.")
                % {"period": cells.get("period")},
            )
            continue
        if len(candidates) > 1:
            error(
                number,
                "period",
                _("several periods match “%(period)s”; write the period's start date.")
                % {"period": cells.get("period")},
            )
            continue
        report = candidates[0]
        if report.pk in seen:
            error(
                number,
                "project",
                _("the same report already appears in row %(row)s.") % {"row": seen[report.pk]},
            )
            continue
        seen[report.pk] = number
        if report.pk not in editable:
            error(
                number,
                "project",
                _(
                    "this project is outside the area you are responsible for; its report "
                    "cannot be changed from here."
                ),
            )
            continue
        unbound = ReportForm(instance=report)
        data = {name: unbound[name].value() for name in REPORT_FIELDS}
        for name in REPORT_FIELDS:
            if name in cells:
                column = next(c for c in importer.columns if c.name == name)
                data[name] = column.to_form(cells[name], importer)
        data["version"] = report.version
        form = ReportForm(data=data, instance=report, previous=previous_report(report))
        if not form.has_changed():
            result.unchanged += 1
            continue
        if report.period.status == PeriodStatus.CLOSED:
            error(
                number,
                "period",
                _("This period is closed: reports can be submitted only while a period is open."),
            )
            continue
        if report.status not in SUBMITTABLE:
            error(number, "", _("This report has been accepted and can no longer change."))
            continue
        before = {name: getattr(report, name) for name in REPORT_FIELDS}
        if not form.is_valid():
            for name, messages in form.errors.items():
                for message in messages:
                    error(number, name, message)
            continue
        report = form.save(commit=False)
        changes = {
            name: [imports._json_value(before[name]), imports._json_value(getattr(report, name))]
            for name in REPORT_FIELDS
            if before[name] != getattr(report, name)
        }
        changes["status"] = [report.status, ReportStatus.SUBMITTED]
        pending.append(imports._Pending(number, report, {}, changes, created=False))

    result.updated = len(pending)
    if result.errors or dry_run or not pending:
        return result
    with transaction.atomic(), acting_as(user):
        _submit(pending, user=user, today=today)
    return result


def _submit(pending, *, user, today) -> None:
    now = timezone.now()
    reports = [p.instance for p in pending]
    # Refuse the whole file if a report changed since it was read (a web submission meanwhile).
    stored = {}
    pks = [r.pk for r in reports]
    for start in range(0, len(pks), imports.BATCH_SIZE):
        stored.update(
            ProgressReport.objects.select_for_update()
            .filter(pk__in=pks[start : start + imports.BATCH_SIZE])
            .values_list("pk", "version")
        )
    if any(stored.get(r.pk) != r.version for r in reports):
        raise StaleEditError()
    for report in reports:
        report.version += 1
        report.updated_at = now
        report.status = ReportStatus.SUBMITTED
        report.submitted_at = now
        report.submitted_by = user
    ProgressReport.objects.bulk_update(
        reports,
        [*REPORT_FIELDS, "status", "submitted_at", "submitted_by", "version", "updated_at"],
        batch_size=imports.BATCH_SIZE,
    )
    still = 0
    for start in range(0, len(pks), imports.BATCH_SIZE):
        still += (
            ProgressReport.objects.editable_by(user)
            .filter(pk__in=pks[start : start + imports.BATCH_SIZE])
            .count()
        )
    if still != len(pks):
        raise PermissionDenied("out of scope after import")
    imports._write_audit(ProgressReport, pending, user)
    # The project's figures and light, exactly as after a submission on the web.
    for project_id in sorted({r.project_id for r in reports}):
        refresh_project_figures(project_id=project_id, activity=True)
    by_period = defaultdict(set)
    for report in reports:
        by_period[report.period_id].add(report.project_id)
    periods = {p.pk: p for p in DispatchPeriod.objects.filter(pk__in=by_period)}
    for period_id, project_ids in sorted(by_period.items()):
        recompute_lights(
            period=periods[period_id], project_ids=sorted(project_ids), today=today, actor=user
        )


imports.register("reports", ReportImporter)
