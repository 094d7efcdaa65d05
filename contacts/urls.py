from django.urls import path
from django.views.generic import TemplateView

from contacts import views

app_name = "contacts"

# Placeholder until the message form lands (issue 3): the page offers the phone number.
urlpatterns = [
    path("contact/", TemplateView.as_view(template_name="contacts/message_form.html"), name="message-create"),
    # Comments
    path("articles/<slug:slug>/comments/", views.CommentCreateView.as_view(), name="comment-create"),
]
