from django.http import Http404
from django.views.generic import DetailView, ListView, TemplateView

from articles.models import Article
from articles.structured_data import article_data, clinic_data, to_script_json


class HomeView(TemplateView):
    template_name = "articles/home.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["articles"] = Article.objects.published()[:10]
        context["structured_data"] = to_script_json(clinic_data())
        return context


class ArticleListView(ListView):
    template_name = "articles/article_list.html"
    paginate_by = 20

    def get_queryset(self):
        return Article.objects.published()


class ArticleDetailView(DetailView):
    template_name = "articles/article_detail.html"

    def get_queryset(self):
        return Article.objects.prefetch_related("entries", "sources")

    def get_object(self, queryset=None):
        article = super().get_object(queryset)
        if article.is_published:
            return article
        # Drafts exist only for staff who may edit them; everyone else gets a plain 404.
        if self.request.user.has_perm("articles.change_article"):
            return article
        raise Http404("No article found matching the query")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["structured_data"] = to_script_json(article_data(self.object))
        return context
