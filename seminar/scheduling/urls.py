"""The schedule board's URLs and a member's unavailable dates."""

from django.urls import path

from seminar.scheduling import views

urlpatterns = [
    path("schedule/", views.schedule, name="schedule"),
    path("schedule/weeks/", views.create_weeks, name="schedule_create_weeks"),
    path("schedule/terms/", views.create_term, name="schedule_create_term"),
    # Renaming grew into editing the whole term (#13); the name stays for its callers.
    path("schedule/terms/<int:pk>/edit/", views.update_term, name="schedule_rename_term"),
    path("schedule/terms/<int:pk>/close/", views.close_term, name="schedule_close_term"),
    path("schedule/terms/<int:pk>/reopen/", views.reopen_term, name="schedule_reopen_term"),
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
    # Swaps and substitutes (#13): offer a role, take an offer, withdraw, approve, decline.
    path("swaps/", views.swaps, name="swaps"),
    path("slots/<int:pk>/offer/", views.offer_slot, name="swap_offer_slot"),
    path("topics/<int:pk>/offer/", views.offer_presenter, name="swap_offer_presenter"),
    path("swaps/<int:pk>/take/", views.take_offer, name="swap_take"),
    path("swaps/<int:pk>/withdraw/", views.withdraw_offer, name="swap_withdraw"),
    path("swaps/<int:pk>/approve/", views.approve_offer, name="swap_approve"),
    path("swaps/<int:pk>/decline/", views.decline_offer, name="swap_decline"),
    path("weeks/<int:pk>/swap-rules/", views.week_swap_policy, name="week_swap_policy"),
    # Editing one week and removing an empty one, from its page (#13).
    path("weeks/<int:pk>/edit/", views.week_edit, name="week_edit"),
    path("weeks/<int:pk>/remove/", views.week_remove, name="week_remove"),
    path("settings/unavailable/", views.unavailable_dates, name="unavailable_dates"),
    path(
        "settings/unavailable/<int:pk>/delete/",
        views.unavailable_date_delete,
        name="unavailable_date_delete",
    ),
]
