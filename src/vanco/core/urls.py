"""Core pages with their own URLs: the Excel imports of every kind."""

from django.urls import path

from vanco.core import import_views

app_name = "core"

urlpatterns = [
    path("jobs/<int:pk>/", import_views.ImportJobPage.as_view(), name="import-job"),
    path("<slug:kind>/", import_views.ImportStart.as_view(), name="import"),
    path("<slug:kind>/template/", import_views.ImportTemplate.as_view(), name="import-template"),
]
