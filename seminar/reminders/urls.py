"""The unsubscribe link and the organizers' reminder page."""

from django.urls import path

from seminar.reminders import views

urlpatterns = [
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("reminders/", views.reminder_status, name="reminder_status"),
]
