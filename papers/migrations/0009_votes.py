# Votes with a weekly budget and volunteers to present (#13).
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("papers", "0008_hf_api_source_and_backfill")]

    operations = []
