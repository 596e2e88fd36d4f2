from django.urls import path

from vanco.enterprises import pairing_views, views, visit_views

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
    path("pairings/", pairing_views.PairingList.as_view(), name="pairing-list"),
    path("pairings/new/", pairing_views.PairingCreate.as_view(), name="pairing-create"),
    path("pairings/mine/", pairing_views.MyEnterprises.as_view(), name="pairing-mine"),
    path("pairings/<int:pk>/", pairing_views.PairingDetail.as_view(), name="pairing-detail"),
    path("pairings/<int:pk>/edit/", pairing_views.PairingEdit.as_view(), name="pairing-edit"),
    path("pairings/<int:pk>/end/", pairing_views.PairingEnd.as_view(), name="pairing-end"),
    path("coverage/", pairing_views.CoveragePage.as_view(), name="coverage"),
    path("officials/options/", pairing_views.OfficialOptions.as_view(), name="official-options"),
    path(
        "<int:pk>/pairings-visits/",
        pairing_views.EnterpriseSection.as_view(),
        name="enterprise-pairings-visits",
    ),
    path("visits/", visit_views.VisitList.as_view(), name="visit-list"),
    path("visits/new/", visit_views.VisitCreate.as_view(), name="visit-create"),
    path("visits/<int:pk>/", visit_views.VisitDetail.as_view(), name="visit-detail"),
]
