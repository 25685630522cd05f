import re

from allauth.account.decorators import secure_admin_login
from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path

from reviews import media
from reviews.markdownx_views import MemberImageUploadView, MemberMarkdownifyView
from seminar import views
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
    path("invitations/<int:pk>/resend/", views.invitation_resend, name="invitation_resend"),
    path("invitations/<int:pk>/revoke/", views.invitation_revoke, name="invitation_revoke"),
    path("invite/<str:token>/", views.accept_invitation, name="accept_invitation"),
    path("", include("seminar.scheduling.urls")),
    path("", include("seminar.reports.urls")),
    path("", include("seminar.reminders.urls")),
    path("", include("seminar.materials.urls")),
    path("", include("seminar.discussion.urls")),  # threads and notifications (#15)
    path("", include("seminar.integrations.urls")),
    # The agenda (#13) lives in scheduling, at /papers/agenda/: before the pool's catch-all.
    path("papers/", include("seminar.scheduling.agenda_urls")),
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
