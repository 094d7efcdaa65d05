from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from clinic import views

urlpatterns = [
    path(settings.ADMIN_PATH, admin.site.urls),
    path("robots.txt", views.robots_txt, name="robots-txt"),
    path("favicon.ico", views.favicon, name="favicon"),
    path("", include("articles.urls")),
    path("", include("contacts.urls")),
]

handler400 = "clinic.views.bad_request"
handler500 = "clinic.views.server_error"
