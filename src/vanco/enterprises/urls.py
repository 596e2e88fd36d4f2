from django.urls import path

from vanco.enterprises import views

app_name = "enterprises"

urlpatterns = [
    path("", views.EnterpriseList.as_view(), name="enterprise-list"),
    path("new/", views.EnterpriseFormPage.as_view(), name="enterprise-create"),
    path("options/", views.EnterpriseOptions.as_view(), name="enterprise-options"),
    path("import/", views.ImportPage, {"kind": "enterprises"}, name="enterprise-import"),
    path(
        "import/template/",
        views.ImportTemplate,
        {"kind": "enterprises"},
        name="enterprise-import-template",
    ),
    path("<int:pk>/", views.EnterpriseDetail.as_view(), name="enterprise-detail"),
    path("<int:pk>/edit/", views.EnterpriseFormPage.as_view(), name="enterprise-edit"),
    path(
        "<int:pk>/contacts/new/",
        views.ContactFormPage.as_view(editing=False),
        name="contact-create",
    ),
    path(
        "contacts/<int:pk>/edit/", views.ContactFormPage.as_view(editing=True), name="contact-edit"
    ),
    path("contacts/<int:pk>/delete/", views.ContactDelete.as_view(), name="contact-delete"),
]
