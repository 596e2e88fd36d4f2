from django.urls import path

from vanco.targets import views

app_name = "targets"

urlpatterns = [
    path("", views.TargetGrid.as_view(), name="target-grid"),
    path("new/", views.TargetFormPage.as_view(), name="target-create"),
    path("<int:pk>/edit/", views.TargetFormPage.as_view(), name="target-edit"),
    path("actuals/", views.ActualsPage.as_view(), name="actuals"),
    path("ranking/", views.LiveRanking.as_view(), name="ranking"),
    path("ranking/<int:pk>/publish/", views.PublishRanking.as_view(), name="ranking-publish"),
    path("snapshots/", views.SnapshotList.as_view(), name="snapshot-list"),
    path("snapshots/<int:pk>/", views.SnapshotDetail.as_view(), name="snapshot-detail"),
    path("campaigns/", views.CampaignList.as_view(), name="campaign-list"),
    path("campaigns/new/", views.CampaignFormPage.as_view(), name="campaign-create"),
    path("campaigns/<int:pk>/edit/", views.CampaignFormPage.as_view(), name="campaign-edit"),
]
