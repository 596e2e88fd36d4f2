from django.urls import include, path

from vanco.accounts import views as account_views
from vanco.api.router import api
from vanco.core import pages

urlpatterns = [
    path("", pages.home, name="home"),
    path("healthz", pages.healthz, name="healthz"),
    path("accounts/login/", account_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", account_views.LogoutView.as_view(), name="logout"),
    path("language/", account_views.set_language, name="set-language"),
    path("accounts/", include("vanco.accounts.urls")),
    path("org/", include("vanco.org.urls")),
    path("industries/", include("vanco.industries.urls")),
    path("enterprises/", include("vanco.enterprises.urls")),
    path("projects/", include("vanco.projects.urls")),
    path("notifications/", include("vanco.notifications.urls")),
    path("obstacles/", include("vanco.obstacles.urls")),
    path("meetings/", include("vanco.meetings.urls")),
    path("targets/", include("vanco.targets.urls")),
    path("dashboard/", include("vanco.dashboard.urls")),
    path("reports/", include("vanco.reports.urls")),
    path("audit/", pages.AuditLogList.as_view(), name="audit-log"),
    path("import/", include("vanco.core.urls")),
    path("api/v1/", api.urls),
]

handler400 = "vanco.core.errors.bad_request"
handler403 = "vanco.core.errors.permission_denied"
handler404 = "vanco.core.errors.page_not_found"
handler500 = "vanco.core.errors.server_error"
