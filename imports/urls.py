from django.urls import path

from . import views

app_name = "imports"

# Imports live under /admin/ so that the admin's sign-in rules (two factors) apply.
urlpatterns = [
    path("admin/imports/new/", views.job_create, name="job_create"),
    path("admin/imports/<int:pk>/", views.job_detail, name="job_detail"),
    path("admin/imports/<int:pk>/mapping/", views.job_mapping, name="job_mapping"),
    path("admin/imports/<int:pk>/progress/", views.job_progress, name="job_progress"),
    path("admin/imports/<int:pk>/confirm/", views.job_confirm, name="job_confirm"),
    path(
        "admin/imports/<int:pk>/left-out.csv", views.job_left_out, name="job_left_out"
    ),
    path(
        "infrastructures/export/<str:file_format>/",
        views.search_export,
        name="search_export",
    ),
]
