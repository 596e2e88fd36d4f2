from django.utils.translation import gettext_lazy as _

from vanco.core.forms import VersionedModelForm
from vanco.org.models import Department, Locality


class LocalityForm(VersionedModelForm):
    class Meta:
        model = Locality
        fields = ["code", "name", "kind", "parent"]
        help_texts = {
            "code": _("A short unique code, e.g. the statistical code of the district."),
            "parent": _("The district, county or city this locality belongs to."),
        }

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        parents = Locality.objects.visible_to(user).filter(is_active=True)
        if self.instance.pk:
            parents = parents.exclude(path__startswith=self.instance.path)
        self.fields["parent"].queryset = parents
        self.fields["parent"].required = False

    def clean_code(self):
        return self.cleaned_data["code"].strip().upper()


class DepartmentForm(VersionedModelForm):
    class Meta:
        model = Department
        fields = ["code", "name", "short_name", "email", "phone"]

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)

    def clean_code(self):
        return self.cleaned_data["code"].strip().upper()
