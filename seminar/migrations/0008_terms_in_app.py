# Terms in the app: defaults for their weeks, closing (#13).
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("seminar", "0007_one_time_forms_open_invitations_clean_names")]

    operations = []
