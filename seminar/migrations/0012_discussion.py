# Discussion: comments, questions, reactions, notifications (#15).
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("seminar", "0011_integrations")]

    operations = []
