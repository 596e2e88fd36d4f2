from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Prefetch
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.decorators.http import require_POST

from vanco.accounts import services
from vanco.accounts.enums import ROLE_HELP, Role
from vanco.accounts.filters import UserFilter
from vanco.accounts.forms import (
    LoginForm,
    PreferencesForm,
    RoleFormSet,
    TokenForm,
    UserForm,
    role_choices,
)
from vanco.accounts.models import ApiToken, RoleAssignment, User
from vanco.core.services import save_versioned
from vanco.core.tables import Column
from vanco.core.views import DetailPage, FormPage, ListPage, ToggleActiveView


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True


class LogoutView(auth_views.LogoutView):
    http_method_names = ["post", "options"]


def _roles_text(user: User) -> str:
    return "; ".join(str(assignment) for assignment in user.role_assignments.all())


class UserList(ListPage):
    model = User
    title = gettext_lazy("Users")
    filterset_class = UserFilter
    default_sort = "full_name"
    create_url_name = "accounts:user-create"
    create_action = "users.manage"
    export_name = "users"
    empty_message = gettext_lazy("No user matches these filters.")
    columns = [
        Column("full_name", gettext_lazy("Full name"), sort="full_name", link=True),
        Column("username", gettext_lazy("Username"), sort="username"),
        Column("title", gettext_lazy("Position"), sort="title"),
        Column("roles", gettext_lazy("Roles and scope"), value=_roles_text),
        Column("last_login", gettext_lazy("Last login"), sort="last_login"),
        Column("is_active", gettext_lazy("Active"), sort="is_active"),
    ]

    def base_queryset(self):
        assignments = RoleAssignment.objects.select_related("locality", "department")
        return (
            super()
            .base_queryset()
            .filter(is_system=False)
            .prefetch_related(Prefetch("role_assignments", queryset=assignments))
        )


class UserDetail(DetailPage):
    model = User
    template_name = "accounts/user_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = context["object"]
        context["assignments"] = user.role_assignments.select_related("locality", "department")
        context["tokens"] = ApiToken.objects.visible_to(self.request.user).filter(user=user)[:50]
        return context


class UserFormPage(FormPage):
    model = User
    form_class = UserForm
    action = "users.manage"
    template_name = "accounts/user_form.html"
    title = gettext_lazy("New user")

    def role_formset(self, obj, data=None):
        initial = []
        if obj is not None and data is None:
            initial = [
                {
                    "role": a.role,
                    "locality": a.locality_id,
                    "department": a.department_id,
                    "enterprise_tax_code": a.enterprise_tax_code,
                }
                for a in obj.role_assignments.all()
            ]
        return RoleFormSet(
            data=data,
            initial=initial,
            prefix="roles",
            form_kwargs={"user": self.request.user, "choices": role_choices(self.request.user)},
        )

    def page_context(self, obj, form):
        context = super().page_context(obj, form)
        context["role_help"] = [(Role(role).label, text) for role, text in ROLE_HELP.items()]
        return context

    def get(self, request, *args, **kwargs):
        obj = self.get_object()
        context = self.page_context(obj, self.get_form(obj))
        context["roles"] = self.role_formset(obj)
        return self.render_to_response(context)

    def post(self, request, *args, **kwargs):
        obj = self.get_object()
        form = self.get_form(obj, data=request.POST)
        roles = self.role_formset(obj, data=request.POST)
        if form.is_valid() and roles.is_valid():
            try:
                with transaction.atomic():
                    user = form.save(commit=False)
                    save_versioned(
                        instance=user,
                        expected_version=form.cleaned_data.get("version"),
                        actor=request.user,
                    )
                    services.set_roles(actor=request.user, user=user, roles=roles.specs())
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("Saved: %(name)s") % {"name": user})
                return HttpResponseRedirect(user.get_absolute_url())
        context = self.page_context(obj, form)
        context["roles"] = roles
        return self.render_to_response(context, status=400)


class UserToggle(ToggleActiveView):
    model = User
    action = "users.manage"

    def toggle(self, obj, active):
        services.set_active(actor=self.request.user, user=obj, active=active)


class ProfileView(LoginRequiredMixin, View):
    template_name = "accounts/profile.html"

    def context(self, **extra):
        user = self.request.user
        return {
            "object": user,
            "preferences": PreferencesForm(initial={"language": user.language}),
            "token_form": TokenForm(),
            "tokens": ApiToken.objects.visible_to(user).filter(user=user)[:50],
            "assignments": user.role_assignments.select_related("locality", "department"),
            **extra,
        }

    def get(self, request):
        return render(request, self.template_name, self.context())

    def post(self, request):
        form = PreferencesForm(request.POST)
        if not form.is_valid():
            return render(request, self.template_name, self.context(preferences=form), status=400)
        services.set_language(user=request.user, language=form.cleaned_data["language"])
        messages.success(request, _("Your preferences were saved."))
        response = redirect("accounts:profile")
        _set_language_cookie(response, form.cleaned_data["language"])
        return response


class TokenCreate(LoginRequiredMixin, View):
    http_method_names = ["post"]

    def post(self, request):
        form = TokenForm(request.POST)
        profile = ProfileView()
        profile.request = request
        if not form.is_valid():
            return render(
                request, profile.template_name, profile.context(token_form=form), status=400
            )
        _token, raw = services.issue_token(user=request.user, name=form.cleaned_data["name"])
        return render(request, profile.template_name, profile.context(new_token=raw))


class TokenRevoke(LoginRequiredMixin, View):
    http_method_names = ["post"]

    def post(self, request, pk):
        token = get_object_or_404(ApiToken.objects.visible_to(request.user), pk=pk)
        services.revoke_token(actor=request.user, token=token)
        messages.success(request, _("The token was revoked; scripts using it stop working now."))
        if token.user_id == request.user.pk:
            return redirect("accounts:profile")
        return redirect("accounts:user-detail", pk=token.user_id)


def _set_language_cookie(response, language: str) -> None:
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=365 * 24 * 3600,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
    )


@require_POST
def set_language(request):
    """The language switcher: remembers the choice in a cookie and, when signed in, on the user."""
    language = request.POST.get("language", "")
    next_url = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = reverse("home")
    response = HttpResponseRedirect(next_url)
    if language in dict(settings.LANGUAGES):
        if request.user.is_authenticated:
            services.set_language(user=request.user, language=language)
        _set_language_cookie(response, language)
    return response
