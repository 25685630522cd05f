from django.urls import path

from papers import views

# Included at /papers/. Keep these before any `<arxiv_id>/` route, which would match them.
urlpatterns = [
    path("imports/", views.digest_imports, name="digest_imports"),
    path("imports/<int:pk>/", views.digest_import_detail, name="digest_import_detail"),
    path("imports/<int:pk>/retry/", views.digest_import_retry, name="digest_import_retry"),
    path("imports/<int:pk>/progress/", views.digest_import_progress, name="digest_import_progress"),
    path("imports/sources/", views.digest_sources, name="digest_sources"),
    path("imports/sources/<int:pk>/poll/", views.digest_source_poll, name="digest_source_poll"),
]
