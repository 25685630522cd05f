# Slot offers (swaps and substitutes), same-week conflict policy, invitation resend/revoke (#13).
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("seminar", "0008_terms_in_app")]

    operations = []
