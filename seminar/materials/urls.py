"""Materials: the topic and week forms, and the slides download."""

from django.urls import path

from seminar.materials import views

urlpatterns = [
    path("topics/<int:pk>/materials/", views.topic_materials, name="topic_materials"),
    path("topics/<int:pk>/slides.pdf", views.topic_slides, name="topic_slides"),
    path("weeks/<int:pk>/materials/", views.week_materials, name="week_materials"),
]
