from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("profile/", views.profile, name="profile"),
    path(
        "invitations/new/<slug:slug>/",
        views.invitation_create,
        name="invitation_create",
    ),
    path("invitations/<str:token>/", views.invitation_accept, name="invitation_accept"),
    path("data/", views.personal_data, name="personal_data"),
    path(
        "data/download/",
        views.personal_data_download,
        name="personal_data_download",
    ),
    path("data/delete/", views.account_delete, name="account_delete"),
    path(
        "security/confirm/",
        views.mfa_enrolment_confirm,
        name="mfa_enrolment_confirm",
    ),
    path(
        "security/confirm/send/",
        views.mfa_enrolment_code_send,
        name="mfa_enrolment_code_send",
    ),
]
