"""The schedule board's URLs and a member's unavailable dates."""

from django.urls import path

from seminar.scheduling import views

urlpatterns = [
    path("schedule/", views.schedule, name="schedule"),
    path("schedule/weeks/", views.create_weeks, name="schedule_create_weeks"),
    path("schedule/weeks/<int:pk>/topics/", views.add_topic, name="schedule_add_topic"),
    path(
        "schedule/topics/<int:pk>/presenter/",
        views.assign_presenter,
        name="schedule_assign_presenter",
    ),
    path("schedule/topics/<int:pk>/move/", views.move_topic, name="schedule_move_topic"),
    path(
        "schedule/topics/<int:pk>/slots/",
        views.set_slot_count,
        name="schedule_set_slot_count",
    ),
    path(
        "schedule/topics/<int:pk>/unlink-paper/",
        views.unlink_paper,
        name="schedule_unlink_paper",
    ),
    path(
        "schedule/topics/<int:pk>/remove/",
        views.remove_topic,
        name="schedule_remove_topic",
    ),
    path(
        "schedule/slots/<int:pk>/reviewer/",
        views.assign_reviewer,
        name="schedule_assign_reviewer",
    ),
    path("settings/unavailable/", views.unavailable_dates, name="unavailable_dates"),
    path(
        "settings/unavailable/<int:pk>/delete/",
        views.unavailable_date_delete,
        name="unavailable_date_delete",
    ),
]
