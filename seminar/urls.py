import re

from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path

from seminar import reminder_views, views
from seminar.markdownx_views import MemberImageUploadView, MemberMarkdownifyView

admin.site.site_header = "Seminar"
admin.site.site_title = "Seminar"

urlpatterns = [
    path("", views.home, name="home"),
    path("weeks/", views.week_list, name="week_list"),
    path("weeks/<int:pk>/", views.week_detail, name="week_detail"),
    path("settings/", views.profile, name="profile"),
    path("language/", views.set_language, name="set_language"),
    path("invitations/", views.invitations, name="invitations"),
    path("invite/<str:token>/", views.accept_invitation, name="accept_invitation"),
    path("unsubscribe/<str:token>/", reminder_views.unsubscribe, name="unsubscribe"),
    path("reminders/", reminder_views.reminder_status, name="reminder_status"),
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
        views.member_media,
        name="member_media",
    ),
]
