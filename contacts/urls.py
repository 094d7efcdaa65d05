from django.urls import path

from contacts.comments.views import CommentCreateView
from contacts.messages.views import MessageCreateView, MessageSentView

app_name = "contacts"

urlpatterns = [
    path("contact/", MessageCreateView.as_view(), name="message-create"),
    path("contact/sent/", MessageSentView.as_view(), name="message-sent"),
    path("articles/<slug:slug>/comments/", CommentCreateView.as_view(), name="comment-create"),
]
