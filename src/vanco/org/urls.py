from django.urls import path

from vanco.org import views

app_name = "org"

urlpatterns = [
    path("localities/", views.LocalityList.as_view(), name="locality-list"),
    path("localities/new/", views.LocalityFormPage.as_view(), name="locality-create"),
    path("localities/<int:pk>/", views.LocalityDetail.as_view(), name="locality-detail"),
    path("localities/<int:pk>/edit/", views.LocalityFormPage.as_view(), name="locality-edit"),
    path("localities/<int:pk>/active/", views.LocalityToggle.as_view(), name="locality-toggle"),
    path("departments/", views.DepartmentList.as_view(), name="department-list"),
    path("departments/new/", views.DepartmentFormPage.as_view(), name="department-create"),
    path("departments/<int:pk>/", views.DepartmentDetail.as_view(), name="department-detail"),
    path("departments/<int:pk>/edit/", views.DepartmentFormPage.as_view(), name="department-edit"),
    path(
        "departments/<int:pk>/active/", views.DepartmentToggle.as_view(), name="department-toggle"
    ),
]
