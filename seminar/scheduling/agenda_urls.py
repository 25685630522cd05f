"""The agenda's URLs (#13), included at /papers/ before the pool's own (whose
`<path:arxiv_id>/` would take "agenda/")."""

from django.urls import path

from seminar.scheduling import agenda_views

urlpatterns = [
    path("agenda/", agenda_views.agenda_page, name="paper_agenda"),
    path("agenda/topic/", agenda_views.agenda_schedule, name="agenda_schedule"),
]
