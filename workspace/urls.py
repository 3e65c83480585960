from django.urls import path

from . import views

app_name = "workspace"

_rii = "infrastructures/<slug:slug>/"
_service = _rii + "services/<slug:service_slug>/"
_equipment = _rii + "equipment/<slug:equipment_slug>/"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path(
        "infrastructures/new/",
        views.infrastructure_create,
        name="infrastructure_create",
    ),
    path(_rii, views.infrastructure_detail, name="infrastructure_detail"),
    path(_rii + "edit/", views.infrastructure_edit, name="infrastructure_edit"),
    path(_rii + "submit/", views.infrastructure_submit, name="infrastructure_submit"),
    path(
        _rii + "confirm/", views.infrastructure_confirm, name="infrastructure_confirm"
    ),
    path(_rii + "media/", views.infrastructure_media, name="infrastructure_media"),
    path(_rii + "members/", views.member_list, name="member_list"),
    path(_rii + "services/new/", views.service_create, name="service_create"),
    path(_service + "edit/", views.service_edit, name="service_edit"),
    path(_service + "delete/", views.service_delete, name="service_delete"),
    path(_service + "move/", views.service_move, name="service_move"),
    path(_rii + "equipment/new/", views.equipment_create, name="equipment_create"),
    path(_equipment + "edit/", views.equipment_edit, name="equipment_edit"),
    path(_equipment + "delete/", views.equipment_delete, name="equipment_delete"),
    path(_equipment + "move/", views.equipment_move, name="equipment_move"),
]
