import django_filters
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from vanco.reports.models import Report, ReportKind, ReportStatus


class ReportFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(
        choices=ReportKind.choices, label=_("Kind"), empty_label=_("All kinds")
    )
    language = django_filters.ChoiceFilter(
        choices=settings.LANGUAGES, label=_("Language"), empty_label=_("All languages")
    )
    status = django_filters.ChoiceFilter(
        choices=ReportStatus.choices, label=_("Status"), empty_label=_("All statuses")
    )
    year = django_filters.NumberFilter(method="filter_year", label=_("Year"))

    class Meta:
        model = Report
        fields = ["kind", "language", "status"]

    def filter_year(self, queryset, name, value):
        # The year a report is about: an annual report's year or the year its period starts.
        return queryset.filter(year=value) | queryset.filter(period__starts_on__year=value)
