from django.conf import settings
from django.contrib import admin
from django.contrib.sitemaps.views import sitemap
from django.urls import include, path

from articles.sitemaps import sitemaps
from clinic import views
from clinic.http_methods import allow_methods

urlpatterns = [
    path(settings.ADMIN_PATH, admin.site.urls),
    path("robots.txt", views.robots_txt, name="robots-txt"),
    path("sitemap.xml", allow_methods("GET", "HEAD")(sitemap), {"sitemaps": sitemaps}, name="sitemap"),
    path("favicon.ico", views.favicon, name="favicon"),
    path("", include("articles.urls")),
    path("", include("contacts.urls")),
]

handler400 = "clinic.views.bad_request"
handler500 = "clinic.views.server_error"
