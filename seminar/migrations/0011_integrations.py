# Publishing to a git repository and chat channels (#16).
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("seminar", "0010_materials_reminders")]

    operations = []
