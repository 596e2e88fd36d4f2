"""Columns of the project list: the HTML table and its Excel export share them."""

from django.utils.translation import gettext_lazy as _

from vanco.core.tables import Column, display


def _person(attr: str):
    def value(obj):
        person = getattr(obj, attr)
        return (person.get_full_name() or person.username) if person else None

    return value


MONEY_COLUMNS = frozenset({"planned_investment", "signed_amount", "funds_in_place"})

PROJECT_COLUMNS = [
    Column("code", _("Code"), sort="code", link=True),
    Column("name", _("Name"), sort="name", link=True),
    Column("investor", _("Investor"), value=lambda o: o.investor.name, sort="investor__name"),
    Column("locality", _("Locality"), value=lambda o: o.locality.name, sort="locality__name"),
    Column("stage", _("Stage"), value=lambda o: display(o, "stage"), sort="stage"),
    Column("light", _("Traffic light"), value=lambda o: display(o, "light"), sort="light"),
    Column(
        "industry", _("Leading industry"), value=lambda o: o.industry.name, sort="industry__name"
    ),
    Column("officer", _("Project officer"), value=_person("officer"), sort="officer__full_name"),
    Column(
        "planned_investment",
        _("Planned investment"),
        sort="planned_investment",
        numeric=True,
    ),
    Column("signed_amount", _("Signed amount"), sort="signed_amount", numeric=True),
    Column("funds_in_place", _("Funds in place"), sort="funds_in_place", numeric=True),
    Column("progress_percent", _("Progress (%)"), sort="progress_percent", numeric=True),
    Column("planned_start_date", _("Planned start"), sort="planned_start_date"),
]

#: Only in the Excel file: too wide for the page.
EXPORT_ONLY_COLUMNS = [
    Column(
        "chain_node", _("Chain node"), value=lambda o: o.chain_node.name if o.chain_node else None
    ),
    Column("task_force", _("Task force"), value=lambda o: display(o, "task_force")),
    Column("leader", _("Leader in charge"), value=_person("leader")),
    Column("is_major", _("Major project")),
    Column("planned_completion_date", _("Planned completion")),
]
