from django.urls import path

from reviews import views

urlpatterns = [
    path("slots/<int:pk>/claim/", views.claim, name="slot_claim"),
    path("slots/<int:pk>/release/", views.release, name="slot_release"),
    path("slots/<int:pk>/review/", views.review_edit, name="review_edit"),
    path("slots/<int:pk>/review/autosave/", views.review_autosave, name="review_autosave"),
    path("weeks/<int:pk>/export.md", views.week_export, name="week_export"),
]
