from django.urls import path

from seminar.integrations import views

urlpatterns = [
    path("integrations/", views.overview, name="integrations"),
    path(
        "integrations/repositories/new/", views.repository_edit, name="integration_repository_add"
    ),
    path(
        "integrations/repositories/<int:pk>/",
        views.repository_edit,
        name="integration_repository_edit",
    ),
    path(
        "integrations/repositories/<int:pk>/delete/",
        views.repository_delete,
        name="integration_repository_delete",
    ),
    path(
        "integrations/repositories/<int:pk>/sync/",
        views.repository_sync,
        name="integration_repository_sync",
    ),
    path(
        "integrations/repositories/<int:pk>/archive/",
        views.archive_import,
        name="integration_archive_import",
    ),
    path("integrations/changes/<int:pk>/", views.incoming_change, name="integration_change"),
    path("integrations/channels/new/", views.channel_edit, name="integration_channel_add"),
    path("integrations/channels/<int:pk>/", views.channel_edit, name="integration_channel_edit"),
    path(
        "integrations/channels/<int:pk>/delete/",
        views.channel_delete,
        name="integration_channel_delete",
    ),
    path(
        "integrations/deliveries/<int:pk>/retry/",
        views.delivery_retry,
        name="integration_delivery_retry",
    ),
]
