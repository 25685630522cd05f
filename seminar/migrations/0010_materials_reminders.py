# Materials on topics and weeks; reminders as an organizer's tool (#13).
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("seminar", "0009_swaps_invitations")]

    operations = []
