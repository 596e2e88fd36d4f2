"""Columns of the project list: the HTML table and its Excel export share them.

The page shows a few columns by default and lets the user add the others (`col` in the URL);
the Excel file always has every column.
"""

from django.utils.translation import gettext_lazy as _

from vanco.core.tables import Column, display


def _person(attr: str):
    def value(obj):
        person = getattr(obj, attr)
        return (person.get_full_name() or person.username) if person else None

    return value


MONEY_COLUMNS = frozenset({"planned_investment", "signed_amount", "funds_in_place"})

#: Below the medium breakpoint (phones) only the name and the light are columns; the code, stage
#: and progress show under the name (project_list.html).
WIDE_ONLY = "d-none d-md-table-cell"

PROJECT_COLUMNS = [
    # On phones the code shows under the name (project_list.html), not in a column of its own.
    Column("code", _("Code"), sort="code", link=True, nowrap=True, classes=WIDE_ONLY),
    Column("name", _("Name"), sort="name", link=True, classes="vanco-col-name"),
    Column(
        "investor",
        _("Investor"),
        value=lambda o: o.investor.name,
        sort="investor__name",
        classes=WIDE_ONLY,
    ),
    Column(
        "locality",
        _("Locality"),
        value=lambda o: o.locality.name,
        sort="locality__name",
        nowrap=True,
        classes=WIDE_ONLY,
    ),
    Column(
        "stage",
        _("Stage"),
        value=lambda o: display(o, "stage"),
        sort="stage",
        nowrap=True,
        classes=WIDE_ONLY,
    ),
    Column(
        "light", _("Traffic light"), value=lambda o: display(o, "light"), sort="light", nowrap=True
    ),
    Column(
        "industry",
        _("Leading industry"),
        value=lambda o: o.industry.name,
        sort="industry__name",
        classes=WIDE_ONLY,
    ),
    Column(
        "officer",
        _("Project officer"),
        value=_person("officer"),
        sort="officer__full_name",
        classes=WIDE_ONLY,
    ),
    Column(
        "planned_investment",
        _("Planned investment"),
        sort="planned_investment",
        numeric=True,
        nowrap=True,
        classes=WIDE_ONLY,
    ),
    Column(
        "signed_amount",
        _("Signed amount"),
        sort="signed_amount",
        numeric=True,
        nowrap=True,
        classes=WIDE_ONLY,
    ),
    Column(
        "funds_in_place",
        _("Funds in place"),
        sort="funds_in_place",
        numeric=True,
        nowrap=True,
        classes=WIDE_ONLY,
    ),
    Column(
        "progress_percent",
        _("Progress (%)"),
        sort="progress_percent",
        numeric=True,
        nowrap=True,
        classes=WIDE_ONLY,
    ),
    Column(
        "planned_start_date",
        _("Planned start"),
        sort="planned_start_date",
        nowrap=True,
        classes=WIDE_ONLY,
    ),
    Column(
        "chain_node",
        _("Chain node"),
        value=lambda o: o.chain_node.name if o.chain_node else None,
        sort="chain_node__name",
        classes=WIDE_ONLY,
    ),
    Column(
        "task_force",
        _("Task force"),
        value=lambda o: display(o, "task_force"),
        sort="task_force",
        classes=WIDE_ONLY,
    ),
    Column(
        "leader",
        _("Leader in charge"),
        value=_person("leader"),
        sort="leader__full_name",
        classes=WIDE_ONLY,
    ),
    Column("is_major", _("Major project"), sort="is_major", classes=WIDE_ONLY),
    Column(
        "planned_completion_date",
        _("Planned completion"),
        sort="planned_completion_date",
        nowrap=True,
        classes=WIDE_ONLY,
    ),
]

COLUMNS_BY_NAME = {column.name: column for column in PROJECT_COLUMNS}

#: Always on the page: what a row is.
FIXED_COLUMNS = ("code", "name")

#: On the page unless the user chooses otherwise: reads without wrapping at 1280 px.
DEFAULT_COLUMNS = (
    "code",
    "name",
    "locality",
    "stage",
    "light",
    "planned_investment",
    "progress_percent",
)


def chosen_columns(params) -> list[Column]:
    """The columns of the page from the query string: `cols=1` marks a choice made with the
    column chooser, each `col` names one column; without a choice, the default columns."""
    if "cols" in params:
        names = set(FIXED_COLUMNS) | set(params.getlist("col"))
    else:
        names = set(DEFAULT_COLUMNS)
    return [column for column in PROJECT_COLUMNS if column.name in names]
