from allauth.account.decorators import secure_admin_login
from django.conf import settings
from django.contrib import admin
from django.contrib.sitemaps import views as sitemap_views
from django.urls import include, path
from django.views.decorators.csrf import csrf_exempt
from django.views.generic import TemplateView
from django.views.i18n import set_language

from catalogue import sitemaps as catalogue_sitemaps
from catalogue.sitemaps import sitemaps

from . import views

admin.site.site_header = "RII portal administration"
admin.site.site_title = "RII portal admin"
# The admin signs in through the portal's sign-in: rate-limited, with two factors.
admin.site.login = secure_admin_login(admin.site.login)  # type: ignore[method-assign]

# The error page shows the request id (core.middleware.request_id).
handler500 = "core.views.server_error"

urlpatterns = [
    path("", views.home, name="home"),
    path("", include("access.urls")),
    path("", include("catalogue.urls")),
    path("", include("imports.urls")),
    path("", include("alerts.urls")),
    path("admin/", admin.site.urls),
    path("accounts/", include("allauth.urls")),
    path("account/", include("accounts.urls")),
    path("manage/", include("workspace.urls")),
    # Without a CSRF token, so that anonymous pages (whose footer offers the language
    # form) can be cached whole: choosing a language is not a change worth forging.
    path("i18n/setlang/", csrf_exempt(set_language), name="set_language"),
    path(
        "sitemap.xml",
        sitemap_views.index,
        {"sitemaps": sitemaps, "sitemap_url_name": "sitemap_section"},
        name="sitemap",
    ),
    path(
        "sitemap-<section>.xml",
        catalogue_sitemaps.section,
        name="sitemap_section",
    ),
    path(
        "robots.txt",
        TemplateView.as_view(template_name="robots.txt", content_type="text/plain"),
        name="robots_txt",
    ),
]

# Uploads, in development as in production: the view adds what a PDF needs on top
# of what ``static()`` would serve. A web server may take over at larger scale.
urlpatterns.append(
    path(f"{settings.MEDIA_URL.lstrip('/')}<path:path>", views.media, name="media")
)
