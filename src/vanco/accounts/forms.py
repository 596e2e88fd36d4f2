from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from vanco.accounts.enums import Language, Role
from vanco.accounts.models import User
from vanco.accounts.services import NO_ROLE_MESSAGE, RoleSpec
from vanco.core.forms import VersionedModelForm, bootstrap
from vanco.core.identifiers import normalise_enterprise_key, validate_enterprise_key
from vanco.org.models import Department, Locality


class LoginForm(AuthenticationForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        bootstrap(self)
        self.fields["username"].widget.attrs.update({"autocomplete": "username"})


class UserForm(VersionedModelForm):
    new_password = forms.CharField(
        label=_("Password"),
        required=False,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("At least 12 characters. Leave empty to keep the current password."),
    )

    class Meta:
        model = User
        fields = ["username", "full_name", "title", "email", "phone", "language"]
        help_texts = {
            "username": _("Used to log in: letters, digits and @/./+/-/_ only."),
            "full_name": _("Surname first, as on the ID card: Nguyễn Văn Hùng."),
        }

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["full_name"].required = True
        if not self.instance.pk:
            self.fields["new_password"].required = True
            self.fields["new_password"].help_text = _("At least 12 characters.")

    def clean(self):
        cleaned = super().clean()
        password = cleaned.get("new_password")
        if password:
            candidate = User(
                username=cleaned.get("username", ""),
                full_name=cleaned.get("full_name", ""),
                email=cleaned.get("email", ""),
            )
            try:
                validate_password(password, candidate)
            except ValidationError as error:
                self.add_error("new_password", error)
        return cleaned

    def save(self, commit=True):
        user = super().save(commit=False)
        if self.cleaned_data.get("new_password"):
            user.set_password(self.cleaned_data["new_password"])
        elif not user.pk:
            user.set_unusable_password()
        if commit:
            user.save()
        return user


class RoleRowForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=[("", "---------"), *Role.choices])
    locality = forms.ModelChoiceField(
        label=_("Locality"), queryset=Locality.objects.none(), required=False
    )
    department = forms.ModelChoiceField(
        label=_("Department"), queryset=Department.objects.none(), required=False
    )
    enterprise_tax_code = forms.CharField(
        label=_("Enterprise tax code"),
        required=False,
        max_length=20,
        help_text=_("Vietnamese tax code, or Chinese unified social credit code."),
    )

    def __init__(self, *args, user=None, choices=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["locality"].queryset = Locality.objects.visible_to(user).filter(is_active=True)
        self.fields["department"].queryset = Department.objects.visible_to(user).filter(
            is_active=True
        )
        # The rows of one formset share their choice lists: one query each, not one per row.
        for name, options in (choices or {}).items():
            self.fields[name].choices = options
        bootstrap(self)

    def clean(self):
        cleaned = super().clean()
        role = cleaned.get("role")
        if role == Role.LOCALITY and not cleaned.get("locality"):
            self.add_error("locality", _("A locality officer needs a locality."))
        if role == Role.DEPARTMENT and not cleaned.get("department"):
            self.add_error("department", _("A department officer needs a department."))
        if role == Role.ENTERPRISE:
            key = cleaned.get("enterprise_tax_code", "")
            if not key:
                self.add_error("enterprise_tax_code", _("An enterprise user needs a tax code."))
            else:
                try:
                    validate_enterprise_key(key)
                except ValidationError as error:
                    self.add_error("enterprise_tax_code", error)
                else:
                    cleaned["enterprise_tax_code"] = normalise_enterprise_key(key)
        return cleaned

    def spec(self) -> RoleSpec | None:
        role = self.cleaned_data.get("role")
        if not role or self.cleaned_data.get("DELETE"):
            return None
        return RoleSpec(
            role=role,
            locality_id=self.cleaned_data["locality"].pk if role == Role.LOCALITY else None,
            department_id=self.cleaned_data["department"].pk if role == Role.DEPARTMENT else None,
            enterprise_tax_code=self.cleaned_data.get("enterprise_tax_code", "")
            if role == Role.ENTERPRISE
            else "",
        )


class BaseRoleFormSet(forms.BaseFormSet):
    def clean(self):
        super().clean()
        if any(self.errors):
            return
        if not any(form.spec() for form in self.forms if form.cleaned_data):
            raise ValidationError(NO_ROLE_MESSAGE)

    def specs(self) -> list[RoleSpec]:
        return [spec for form in self.forms if form.cleaned_data and (spec := form.spec())]


def role_choices(user) -> dict[str, list[tuple]]:
    """Choice lists for every row of a RoleFormSet, read once."""
    blank = [("", "---------")]
    localities = Locality.objects.visible_to(user).filter(is_active=True).order_by("path")
    departments = Department.objects.visible_to(user).filter(is_active=True).order_by("name")
    return {
        "locality": blank + [(item.pk, str(item)) for item in localities],
        "department": blank + [(item.pk, str(item)) for item in departments],
    }


RoleFormSet = forms.formset_factory(
    RoleRowForm, formset=BaseRoleFormSet, extra=1, can_delete=True, max_num=10, validate_max=True
)


class PreferencesForm(forms.Form):
    language = forms.ChoiceField(label=_("Language"), choices=Language.choices)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        bootstrap(self)


class TokenForm(forms.Form):
    name = forms.CharField(
        label=_("Token name"),
        max_length=100,
        help_text=_("What the token is for, e.g. “monthly statistics script”."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        bootstrap(self)
