import re

from allauth.account.decorators import secure_admin_login
from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path

from reviews import media
from reviews.markdownx_views import MemberImageUploadView, MemberMarkdownifyView
from seminar import reminder_views, schedule_views, views
from seminar.lib.health import healthz

admin.site.site_header = "Seminar"
admin.site.site_title = "Seminar"
# The admin signs in through allauth's page, which has the rate limits (ACCOUNT_RATE_LIMITS)
# and the email verification the admin's own form lacks: its login URL sends visitors there
# and back, and answers 403 to signed-in members who are not staff.
admin.site.login = secure_admin_login(admin.site.login)

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", healthz, name="healthz"),
    path("weeks/", views.week_list, name="week_list"),
    path("weeks/<int:pk>/", views.week_detail, name="week_detail"),
    path("settings/", views.profile, name="profile"),
    path("language/", views.set_language, name="set_language"),
    path("invitations/", views.invitations, name="invitations"),
    path("invite/<str:token>/", views.accept_invitation, name="accept_invitation"),
    path("unsubscribe/<str:token>/", reminder_views.unsubscribe, name="unsubscribe"),
    path("reminders/", reminder_views.reminder_status, name="reminder_status"),
    # Scheduling (issue 5): the organizers' board, stats, exports, calendar feeds.
    path("schedule/", schedule_views.schedule, name="schedule"),
    path("schedule/weeks/", schedule_views.create_weeks, name="schedule_create_weeks"),
    path("schedule/weeks/<int:pk>/topics/", schedule_views.add_topic, name="schedule_add_topic"),
    path(
        "schedule/topics/<int:pk>/presenter/",
        schedule_views.assign_presenter,
        name="schedule_assign_presenter",
    ),
    path("schedule/topics/<int:pk>/move/", schedule_views.move_topic, name="schedule_move_topic"),
    path(
        "schedule/topics/<int:pk>/slots/",
        schedule_views.set_slot_count,
        name="schedule_set_slot_count",
    ),
    path(
        "schedule/topics/<int:pk>/unlink-paper/",
        schedule_views.unlink_paper,
        name="schedule_unlink_paper",
    ),
    path(
        "schedule/topics/<int:pk>/remove/",
        schedule_views.remove_topic,
        name="schedule_remove_topic",
    ),
    path(
        "schedule/slots/<int:pk>/reviewer/",
        schedule_views.assign_reviewer,
        name="schedule_assign_reviewer",
    ),
    path("stats/", schedule_views.stats_page, name="stats"),
    path("exports/reviews.csv", schedule_views.export_reviews_csv, name="export_reviews_csv"),
    path("exports/reviews.json", schedule_views.export_reviews_json, name="export_reviews_json"),
    path("exports/archive.zip", schedule_views.export_archive, name="export_archive"),
    path("calendar/<str:token>.ics", schedule_views.member_calendar, name="member_calendar"),
    path("calendar/<str:token>/group.ics", schedule_views.group_calendar, name="group_calendar"),
    path("settings/calendar/", schedule_views.calendar_settings, name="calendar_settings"),
    path("settings/unavailable/", schedule_views.unavailable_dates, name="unavailable_dates"),
    path(
        "settings/unavailable/<int:pk>/delete/",
        schedule_views.unavailable_date_delete,
        name="unavailable_date_delete",
    ),
    path("papers/", include("papers.urls")),
    path("", include("reviews.urls")),
    path("accounts/", include("allauth.urls")),
    # markdownx's endpoints answer signed-in members only (out of the box they answer anyone).
    path(
        "markdownx/markdownify/",
        MemberMarkdownifyView.as_view(),
        name="markdownx_markdownify",
    ),
    path("markdownx/upload/", MemberImageUploadView.as_view(), name="markdownx_upload"),
    path("admin/", admin.site.urls),
]

# Images members paste into reviews are for members only, so Django serves them behind a
# sign-in check (a reading group's traffic is tiny; a proxy can take this over if it grows).
urlpatterns += [
    re_path(
        r"^{}(?P<path>markdownx/.+)$".format(re.escape(settings.MEDIA_URL.lstrip("/"))),
        media.member_media,
        name="member_media",
    ),
]
