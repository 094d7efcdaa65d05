from django.db.models import prefetch_related_objects
from django.http import Http404
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.views.decorators.cache import cache_control
from django.views.decorators.http import condition
from django.views.decorators.vary import vary_on_cookie
from django.views.generic import DetailView, ListView, TemplateView

from articles.cache import (
    CONTENT_TIMEOUT,
    HOME_VERSION_KEY,
    PageCacheMark,
    article_fragment,
    article_version_key,
    content_version,
    home_version,
    page_etag,
)
from articles.models import Article
from articles.structured_data import article_data, clinic_data, to_script_json
from contacts.forms import MessageForm
from contacts.moderation import comments_close_at
from contacts.views import comment_section

# Pages carry a per-visitor CSRF token (forms) and flash messages: browsers may keep them but
# must ask again every time (a cheap 304 when nothing changed), and shared proxies never store
# them. The expensive parts are cached on the server instead (articles.cache).
revalidated_private_page = [
    vary_on_cookie,
    cache_control(private=True, no_cache=True),
]


def _home_articles(request) -> list[Article]:
    """The home page's articles, read once per request (the ETag and the page share them)."""
    if not hasattr(request, "_home_articles"):
        # Read before the articles, so a page rendered from older rows is kept under an old version.
        version = home_version()
        request._home_articles = list(Article.objects.published()[:10])
        if version and not request.META.get("QUERY_STRING"):
            request.page_cache = PageCacheMark(
                version_key=HOME_VERSION_KEY, version=version, timeout=_seconds_until_next_publication()
            )
    return request._home_articles


def _seconds_until_next_publication() -> int:
    """How long the cached home page may be kept: until a scheduled article goes live unannounced."""
    now = timezone.now()
    upcoming = (
        Article.objects.filter(status=Article.Status.PUBLISHED, published_at__gt=now)
        .order_by("published_at")
        .values_list("published_at", flat=True)
        .first()
    )
    if upcoming is None:
        return CONTENT_TIMEOUT
    return max(1, min(CONTENT_TIMEOUT, int((upcoming - now).total_seconds())))


def _home_etag(request, *args, **kwargs) -> str:
    return page_etag(request, "home", *((a.pk, a.updated_at.timestamp()) for a in _home_articles(request)))


@method_decorator([*revalidated_private_page, condition(etag_func=_home_etag)], name="dispatch")
class HomeView(TemplateView):
    template_name = "articles/home.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["articles"] = _home_articles(self.request)
        context["message_form"] = MessageForm(initial={"sent_from": self.request.path})
        context["structured_data"] = to_script_json(clinic_data())
        return context


def _list_etag(request, *args, **kwargs) -> str:
    # Every published article's id and edit time: a clinic has dozens, and one query covers them all.
    rows = Article.objects.published().order_by("pk").values_list("pk", "updated_at")
    return page_etag(request, "list", request.GET.urlencode(), *((pk, at.timestamp()) for pk, at in rows))


@method_decorator([*revalidated_private_page, condition(etag_func=_list_etag)], name="dispatch")
class ArticleListView(ListView):
    template_name = "articles/article_list.html"
    paginate_by = 20

    def get_queryset(self):
        return Article.objects.published()


def _article_by_slug(request, slug: str) -> Article | None:
    """The article at `slug` (published or not), read once per request."""
    found = getattr(request, "_articles_by_slug", None)
    if found is None:
        found = request._articles_by_slug = {}
    if slug not in found:
        try:
            found[slug] = Article.objects.get(slug=slug)
        except Article.DoesNotExist:
            found[slug] = None
    return found[slug]


def _article_etag(request, slug: str) -> str | None:
    """Changes whenever the page would: an edit, a new content version, a release, new cookies.

    One database query (the article row, reused by the view) and one cache read.
    """
    article = _article_by_slug(request, slug)
    if article is None or not article.is_published:
        return None  # a 404 or a staff preview: always rendered afresh
    # Read before the page's content is, so nothing older can be stored under it (articles.cache).
    request._article_content_version = content_version(article_id=article.pk)
    if not request._article_content_version:
        return None  # cache unavailable: no way to know whether comments changed
    return page_etag(request, "article", article.pk, article.updated_at.timestamp(), request._article_content_version)


def _with_content(article: Article) -> Article:
    """The article with its entries and sources loaded once, however many cached parts render them."""
    prefetch_related_objects([article], "entries", "sources")
    return article


def _article_page_mark(article: Article, version: str) -> PageCacheMark:
    """The article page may be cached under its content version, until its comments close.

    The article row was read before the version: after rendering, the row is checked again, so
    an edit saved in between is never kept under the new version.
    """
    timeout = CONTENT_TIMEOUT
    closes_at = comments_close_at(article)
    if closes_at is not None:
        timeout = max(1, min(timeout, int((closes_at - timezone.now()).total_seconds())))
    updated_at = article.updated_at
    return PageCacheMark(
        version_key=article_version_key(article.pk),
        version=version,
        timeout=timeout,
        still_current=lambda: Article.objects.filter(pk=article.pk, updated_at=updated_at).published().exists(),
    )


@method_decorator([*revalidated_private_page, condition(etag_func=_article_etag)], name="dispatch")
class ArticleDetailView(DetailView):
    template_name = "articles/article_detail.html"
    context_object_name = "article"

    def get_object(self, queryset=None):
        article = _article_by_slug(self.request, self.kwargs["slug"])
        if article is None:
            raise Http404("No article found matching the query")
        if article.is_published:
            return article
        # Drafts exist only for staff who may edit them; everyone else gets a plain 404.
        if self.request.user.has_perm("articles.change_article"):
            return article
        raise Http404("No article found matching the query")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        article = self.object
        # A staff preview of a draft is never cached (version ""), so editors see every change.
        version = getattr(self.request, "_article_content_version", "") if article.is_published else ""
        # Other cached parts of this page (approved comments, JSON-LD) use the same version:
        # article_fragment(article=article, part="comments", version=version, render=...).
        context["content_version"] = version
        context["article_body"] = article_fragment(
            article=article,
            part="body",
            version=version,
            render=lambda: render_to_string("includes/_article_body.html", {"article": _with_content(article)}),
        )
        context["structured_data"] = article_fragment(
            article=article,
            part="jsonld",
            version=version,
            render=lambda: to_script_json(article_data(_with_content(article))),
        )
        # The approved comments' page and the form; the comment view passes back a form with errors.
        context.update(comment_section(self.request, article, version=version, form=kwargs.get("comment_form")))
        # Cached only at the canonical address of the comments page shown (never ?cpage=999 for page 3).
        if version and self.request.GET.get("cpage") in (None, str(context["comment_page"].number)):
            self.request.page_cache = _article_page_mark(article, version)
        return context
