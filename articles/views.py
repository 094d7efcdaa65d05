"""The public pages editors publish: the home page, the article list and each article.

Every page is read from the database on each request and marked public (`clinic.http_cache`):
the HTTP cache in front keeps it a few seconds, so there is nothing here to invalidate.
"""

from django.http import Http404
from django.utils.decorators import method_decorator
from django.views.generic import DetailView, ListView, TemplateView

from articles.models import Article
from articles.pages import article_page
from articles.structured_data import clinic_data, to_script_json
from clinic.http_cache import public_page
from clinic.http_methods import AllowedMethodsMixin


@method_decorator(public_page, name="dispatch")
class HomeView(AllowedMethodsMixin, TemplateView):
    """The home page: the latest articles, and the message form (drawn by the page's `{% message_form %}` tag)."""

    template_name = "articles/home.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["articles"] = Article.objects.published()[:10]
        context["structured_data"] = to_script_json(clinic_data())
        return context


@method_decorator(public_page, name="dispatch")
class ArticleListView(AllowedMethodsMixin, ListView):
    template_name = "articles/article_list.html"
    paginate_by = 20

    def get_queryset(self):
        return Article.objects.published()


@method_decorator(public_page, name="dispatch")
class ArticleDetailView(AllowedMethodsMixin, DetailView):
    """One article, with its comment section (drawn by the page's `{% comment_section %}` tag)."""

    def get_object(self, queryset=None):
        article = Article.objects.filter(slug=self.kwargs["slug"]).prefetch_related("entries", "sources").first()
        if article is None:
            raise Http404("No article found matching the query")
        if article.is_published:
            return article
        # Drafts exist only for staff who may edit them; everyone else gets a plain 404.
        if self.request.user.has_perm("articles.change_article"):
            return article
        raise Http404("No article found matching the query")

    def get(self, request, *args, **kwargs):
        self.object = self.get_object()
        return article_page(request, self.object)
