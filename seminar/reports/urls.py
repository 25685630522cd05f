"""Stats, exports and calendar feeds."""

from django.urls import path

from seminar.reports import views

urlpatterns = [
    path("stats/", views.stats_page, name="stats"),
    path("exports/reviews.csv", views.export_reviews_csv, name="export_reviews_csv"),
    path("exports/reviews.json", views.export_reviews_json, name="export_reviews_json"),
    path("exports/archive.zip", views.export_archive, name="export_archive"),
    path("calendar/<str:token>.ics", views.member_calendar, name="member_calendar"),
    path("calendar/<str:token>/group.ics", views.group_calendar, name="group_calendar"),
    path("settings/calendar/", views.calendar_settings, name="calendar_settings"),
]
