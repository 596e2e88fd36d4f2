import django_filters
from django.utils.translation import gettext_lazy as _

from vanco.accounts.enums import Role
from vanco.accounts.models import RoleAssignment, User
from vanco.org.filters import ActiveFilter
from vanco.org.models import Department, Locality


class UserFilter(django_filters.FilterSet):
    role = django_filters.ChoiceFilter(
        choices=Role.choices, label=_("Role"), empty_label=_("All roles"), method="filter_role"
    )
    locality = django_filters.ModelChoiceFilter(
        queryset=Locality.objects.none(), label=_("Locality"), method="filter_locality"
    )
    department = django_filters.ModelChoiceFilter(
        queryset=Department.objects.none(), label=_("Department"), method="filter_department"
    )
    active = ActiveFilter()

    class Meta:
        model = User
        fields = []

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, request=request, **kwargs)
        self.filters["locality"].queryset = Locality.objects.visible_to(request.user)
        self.filters["department"].queryset = Department.objects.visible_to(request.user)

    def _having(self, queryset, **lookups):
        return queryset.filter(pk__in=RoleAssignment.objects.filter(**lookups).values("user_id"))

    def filter_role(self, queryset, name, value):
        return self._having(queryset, role=value)

    def filter_locality(self, queryset, name, value):
        return self._having(queryset, locality__path__startswith=value.path)

    def filter_department(self, queryset, name, value):
        return self._having(queryset, department=value)
