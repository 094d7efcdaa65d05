from django.urls import path

from contacts import views

app_name = "contacts"

urlpatterns = [
    path("contact/", views.MessageCreateView.as_view(), name="message-create"),
    path("contact/sent/", views.MessageSentView.as_view(), name="message-sent"),
    path("articles/<slug:slug>/comments/", views.CommentCreateView.as_view(), name="comment-create"),
]
