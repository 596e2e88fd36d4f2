from django.urls import path

from vanco.industries import views

app_name = "industries"

urlpatterns = [
    path("", views.IndustryList.as_view(), name="industry-list"),
    path("new/", views.IndustryFormPage.as_view(), name="industry-create"),
    path("<int:pk>/", views.IndustryDetail.as_view(), name="industry-detail"),
    path("<int:pk>/edit/", views.IndustryFormPage.as_view(), name="industry-edit"),
    path("<int:pk>/active/", views.IndustryToggle.as_view(), name="industry-toggle"),
    path("nodes/", views.ChainNodeList.as_view(), name="node-list"),
    path("nodes/new/", views.ChainNodeFormPage.as_view(), name="node-create"),
    path("nodes/<int:pk>/", views.ChainNodeDetail.as_view(), name="node-detail"),
    path("nodes/<int:pk>/edit/", views.ChainNodeFormPage.as_view(), name="node-edit"),
    path("nodes/<int:pk>/active/", views.ChainNodeToggle.as_view(), name="node-toggle"),
]
