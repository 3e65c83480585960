from django.contrib import admin
from django.urls import include, path

from . import views

admin.site.site_header = "RII portal administration"
admin.site.site_title = "RII portal admin"

urlpatterns = [
    path("", views.home, name="home"),
    path("", include("catalogue.urls")),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
]
