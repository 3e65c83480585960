from django.urls import path

from . import views

app_name = "catalogue"

urlpatterns = [
    path("infrastructures/", views.infrastructure_list, name="infrastructure_list"),
    # Before the listings' pages, whose slugs it would otherwise be one of.
    path("infrastructures/compare/", views.compare, name="compare"),
    path(
        "infrastructures/<slug:slug>/",
        views.infrastructure_detail,
        name="infrastructure_detail",
    ),
    path("regions/", views.region_list, name="region_list"),
    path("regions/<str:code>/", views.region_detail, name="region_detail"),
    path("technologies/", views.technology_list, name="technology_list"),
    path("technologies/<str:code>/", views.technology_detail, name="technology_detail"),
]
