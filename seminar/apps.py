from django.apps import AppConfig


class SeminarConfig(AppConfig):
    name = "seminar"
    default_auto_field = "django.db.models.BigAutoField"
