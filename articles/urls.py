from django.urls import path

from articles import views
from articles.feeds import ArticleFeed
from clinic.http_methods import allow_methods

app_name = "articles"

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("articles/", views.ArticleListView.as_view(), name="list"),
    # Before the detail pattern, which would otherwise read "feed" as a slug.
    path("articles/feed/", allow_methods("GET", "HEAD")(ArticleFeed()), name="feed"),
    path("articles/<slug:slug>/", views.ArticleDetailView.as_view(), name="detail"),
]
