from django.urls import path

from papers import views

# Included at /papers/. Every fixed route comes before the `<path:arxiv_id>` ones, which
# would match it (old-style ids contain a slash: hep-th/9901001).
urlpatterns = [
    path("", views.paper_list, name="paper_list"),
    path("search.json", views.paper_search_json, name="paper_search_json"),
    path("add/", views.paper_add, name="paper_add"),
    path("imports/", views.digest_imports, name="digest_imports"),
    path("imports/<int:pk>/", views.digest_import_detail, name="digest_import_detail"),
    path("imports/<int:pk>/retry/", views.digest_import_retry, name="digest_import_retry"),
    path("imports/<int:pk>/progress/", views.digest_import_progress, name="digest_import_progress"),
    path("imports/sources/", views.digest_sources, name="digest_sources"),
    path("imports/sources/new/", views.digest_source_add, name="digest_source_add"),
    path("imports/sources/<int:pk>/edit/", views.digest_source_edit, name="digest_source_edit"),
    path("imports/sources/<int:pk>/poll/", views.digest_source_poll, name="digest_source_poll"),
    path(
        "imports/sources/<int:pk>/backfill/",
        views.digest_source_backfill,
        name="digest_source_backfill",
    ),
    path("<path:arxiv_id>/interest/", views.paper_interest, name="paper_interest"),
    path("<path:arxiv_id>/vote/", views.paper_vote, name="paper_vote"),
    path("<path:arxiv_id>/status/", views.paper_status, name="paper_status"),
    path("<path:arxiv_id>/edit/", views.paper_edit, name="paper_edit"),
    path("<path:arxiv_id>/merge/", views.paper_merge, name="paper_merge"),
    path("<path:arxiv_id>/fetch/", views.paper_fetch_metadata, name="paper_fetch_metadata"),
    path("<path:arxiv_id>/", views.paper_detail, name="paper_detail"),
]
