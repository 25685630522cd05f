# The data version (#17): one token replaced by database triggers on every write, installed
# after each migrate by seminar.versions.install_triggers (post_migrate), not here, so tables
# added by later migrations are covered too.
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("seminar", "0012_discussion"),
    ]

    operations = [
        migrations.CreateModel(
            name="DataVersion",
            fields=[
                ("scope", models.CharField(max_length=40, primary_key=True, serialize=False)),
                ("token", models.CharField(max_length=32)),
                ("changed_at", models.DateTimeField()),
            ],
            options={"verbose_name": "data version", "default_permissions": ()},
        ),
    ]
