from django.urls import path

from vanco.reports import views

app_name = "reports"

urlpatterns = [
    path("", views.ReportList.as_view(), name="report-list"),
    path("generate/", views.GenerateReport.as_view(), name="report-generate"),
    path("<int:pk>/row/", views.ReportRow.as_view(), name="report-row"),
    path("<int:pk>/<str:fmt>/", views.ReportDownload.as_view(), name="report-download"),
]
