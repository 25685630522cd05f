"""The unsubscribe link and the organizers' reminders tool."""

from django.urls import path

from seminar.reminders import views

urlpatterns = [
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("reminders/", views.reminder_status, name="reminder_status"),
    path(
        "reminders/preview/<int:week>/<int:member>/<str:kind>/",
        views.reminder_preview,
        name="reminder_preview",
    ),
    path("reminders/weeks/<int:pk>/remind-now/", views.remind_now, name="reminder_remind_now"),
]
