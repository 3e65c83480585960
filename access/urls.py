from django.urls import path

from . import views

app_name = "access"

urlpatterns = [
    path(
        "infrastructures/<slug:slug>/request/",
        views.request_create,
        name="request_create",
    ),
    path("shortlist/", views.shortlist_detail, name="shortlist_detail"),
    path("shortlist/add/<slug:slug>/", views.shortlist_add, name="shortlist_add"),
    path("shortlist/remove/", views.shortlist_remove, name="shortlist_remove"),
    path("shortlist/request/", views.brief_create, name="brief_create"),
    path("requests/sent/", views.request_sent, name="request_sent"),
    path(
        "requests/confirm/<str:token>/", views.request_confirm, name="request_confirm"
    ),
    path("requests/privacy/", views.privacy, name="privacy"),
    path("requests/<int:pk>/attachment/", views.attachment, name="attachment"),
    path(
        "requests/<int:pk>/messages/<int:message>/attachment/",
        views.attachment,
        name="message_attachment",
    ),
    path("account/requests/", views.my_requests, name="my_requests"),
    path("account/requests/<int:pk>/", views.request_detail, name="request_detail"),
    path("manage/requests/", views.inbox, name="inbox"),
    path("manage/requests/<int:pk>/", views.inbox_detail, name="inbox_detail"),
]
