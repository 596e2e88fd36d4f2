from django.urls import path

from vanco.industries import prospect_views, views

app_name = "industries"

urlpatterns = [
    path("", views.IndustryList.as_view(), name="industry-list"),
    path("new/", views.IndustryFormPage.as_view(), name="industry-create"),
    path("<int:pk>/", views.IndustryDetail.as_view(), name="industry-detail"),
    path("<int:pk>/edit/", views.IndustryFormPage.as_view(), name="industry-edit"),
    path("<int:pk>/active/", views.IndustryToggle.as_view(), name="industry-toggle"),
    path("<int:pk>/map/", views.ChainMap.as_view(), name="chain-map"),
    path("nodes/", views.ChainNodeList.as_view(), name="node-list"),
    path("nodes/new/", views.ChainNodeFormPage.as_view(), name="node-create"),
    path("nodes/<int:pk>/", views.ChainNodeDetail.as_view(), name="node-detail"),
    path("nodes/<int:pk>/edit/", views.ChainNodeFormPage.as_view(), name="node-edit"),
    path("nodes/<int:pk>/active/", views.ChainNodeToggle.as_view(), name="node-toggle"),
    path("prospects/", prospect_views.ProspectList.as_view(), name="prospect-list"),
    path("prospects/new/", prospect_views.ProspectFormPage.as_view(), name="prospect-create"),
    path("prospects/<int:pk>/", prospect_views.ProspectDetail.as_view(), name="prospect-detail"),
    path(
        "prospects/<int:pk>/edit/",
        prospect_views.ProspectFormPage.as_view(),
        name="prospect-edit",
    ),
    path(
        "prospects/<int:pk>/outreach/",
        prospect_views.OutreachCreate.as_view(),
        name="prospect-outreach",
    ),
    path(
        "prospects/<int:pk>/<str:step>/",
        prospect_views.ProspectStep.as_view(),
        name="prospect-step",
    ),
]
