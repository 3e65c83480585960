from django.urls import path

from . import views

app_name = "alerts"

urlpatterns = [
    path("account/searches/", views.saved_searches, name="saved_searches"),
    path("account/searches/save/", views.saved_search_create, name="create"),
    path("account/searches/<int:pk>/", views.saved_search_update, name="update"),
    path("account/searches/<int:pk>/delete/", views.saved_search_delete, name="delete"),
    path("alerts/unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
]
