from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from vanco.accounts import views

app_name = "accounts"

urlpatterns = [
    path("me/", views.ProfileView.as_view(), name="profile"),
    path(
        "me/password/",
        auth_views.PasswordChangeView.as_view(
            template_name="accounts/password_change.html",
            success_url=reverse_lazy("accounts:profile"),
        ),
        name="password-change",
    ),
    path("me/tokens/", views.TokenCreate.as_view(), name="token-create"),
    path("tokens/<int:pk>/revoke/", views.TokenRevoke.as_view(), name="token-revoke"),
    path("users/", views.UserList.as_view(), name="user-list"),
    path("users/new/", views.UserFormPage.as_view(), name="user-create"),
    path("users/<int:pk>/", views.UserDetail.as_view(), name="user-detail"),
    path("users/<int:pk>/edit/", views.UserFormPage.as_view(), name="user-edit"),
    path("users/<int:pk>/active/", views.UserToggle.as_view(), name="user-toggle"),
]
