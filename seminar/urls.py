from django.conf import settings
from django.contrib import admin
from django.contrib.auth.decorators import login_required
from django.urls import include, path
from markdownx.views import ImageUploadView, MarkdownifyView

from seminar import reminder_views, views

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
        login_required(MarkdownifyView.as_view()),
        name="markdownx_markdownify",
    ),
    path("markdownx/upload/", login_required(ImageUploadView.as_view()), name="markdownx_upload"),
    path("admin/", admin.site.urls),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
