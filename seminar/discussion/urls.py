"""Threads, questions, reactions, the review page and notifications (#15)."""

from django.urls import path

from seminar.discussion import views

urlpatterns = [
    path("reviews/<int:pk>/", views.review_detail, name="review_detail"),
    path("discussion/topics/<int:pk>/comments/", views.topic_comment, name="topic_comment"),
    path("discussion/reviews/<int:pk>/comments/", views.review_comment, name="review_comment"),
    path("discussion/papers/<int:pk>/comments/", views.paper_comment, name="paper_comment"),
    path("discussion/comments/<int:pk>/reply/", views.comment_reply, name="comment_reply"),
    path("discussion/comments/<int:pk>/edit/", views.comment_edit, name="comment_edit"),
    path("discussion/comments/<int:pk>/delete/", views.comment_delete, name="comment_delete"),
    path("discussion/comments/<int:pk>/hide/", views.comment_hide, name="comment_hide"),
    path("discussion/comments/<int:pk>/answer/", views.comment_answer, name="comment_answer"),
    path("discussion/comments/<int:pk>/react/", views.comment_react, name="comment_react"),
    path("discussion/reviews/<int:pk>/react/", views.review_react, name="review_react"),
    path("discussion/members.json", views.member_search, name="discussion_members"),
    path(
        "weeks/<int:pk>/export-with-questions.md",
        views.week_export_with_questions,
        name="week_export_questions",
    ),
    path("notifications/", views.notifications, name="notifications"),
    path("notifications/read/", views.notifications_read, name="notifications_read"),
    path("notifications/<int:pk>/open/", views.notification_open, name="notification_open"),
    path("notifications/unread.json", views.notifications_unread, name="notifications_unread"),
    path("notifications/settings/", views.notification_settings, name="notification_settings"),
    path(
        "notifications/unsubscribe/<str:token>/",
        views.notification_unsubscribe,
        name="notification_unsubscribe",
    ),
]
