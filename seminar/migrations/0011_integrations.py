# Publishing to a git repository and chat channels (#16).
import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("seminar", "0010_materials_reminders"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='ChatChannel',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('name', models.CharField(max_length=100, verbose_name='name')),
                ('kind', models.CharField(choices=[('slack', 'Slack'), ('discord', 'Discord'), ('webhook', 'Signed webhook (JSON)')], max_length=10, verbose_name='kind')),
                ('url', models.TextField()),
                ('signing_secret', models.TextField(blank=True)),
                ('events', models.JSONField(default=list)),
                ('enabled', models.BooleanField(default=True, verbose_name='enabled')),
                ('created_at', models.DateTimeField(default=django.utils.timezone.now)),
            ],
            options={
                'verbose_name': 'chat channel',
                'verbose_name_plural': 'chat channels',
                'ordering': ['name', 'pk'],
            },
        ),
        migrations.CreateModel(
            name='RepositoryConnection',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('name', models.CharField(max_length=100, verbose_name='name')),
                ('url', models.CharField(max_length=500, verbose_name='repository URL')),
                ('branch', models.CharField(default='main', max_length=100, verbose_name='branch')),
                ('auth', models.CharField(choices=[('none', 'None (a public repository, or a local one)'), ('token', 'HTTPS token'), ('ssh_key', 'SSH deploy key')], max_length=10, verbose_name='authentication')),
                ('secret_source', models.CharField(choices=[('field', 'Stored here'), ('env', 'An environment variable of the server')], default='field', max_length=10, verbose_name='secret from')),
                ('secret_env', models.CharField(blank=True, max_length=100, verbose_name='environment variable')),
                ('secret', models.TextField(blank=True)),
                ('ssh_known_hosts', models.TextField(blank=True, verbose_name='SSH host key (known_hosts line)')),
                ('path_template', models.CharField(default='weeks/{term}/{number:02d}.md', max_length=200, verbose_name='path of a week page')),
                ('index_path', models.CharField(blank=True, default='README.md', max_length=200, verbose_name='index page')),
                ('co_authors', models.CharField(choices=[('anonymous', 'Name with a placeholder address'), ('email', "Name with the member's email address")], default='anonymous', max_length=10, verbose_name='co-authors in commits')),
                ('enabled', models.BooleanField(default=True, verbose_name='publish changes')),
                ('created_at', models.DateTimeField(default=django.utils.timezone.now)),
                ('last_pushed_at', models.DateTimeField(blank=True, null=True)),
                ('last_fetched_at', models.DateTimeField(blank=True, null=True)),
                ('last_error', models.TextField(blank=True)),
                ('last_error_at', models.DateTimeField(blank=True, null=True)),
            ],
            options={
                'verbose_name': 'repository connection',
                'verbose_name_plural': 'repository connections',
                'ordering': ['name', 'pk'],
            },
        ),
        migrations.CreateModel(
            name='ChatDelivery',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('event', models.CharField(choices=[('brief', 'Weekly brief'), ('assignment', 'Assignments and swaps'), ('review', 'A review submitted'), ('nudge', 'Deadline nudges'), ('import_errors', 'Imports with errors')], max_length=20)),
                ('event_key', models.CharField(max_length=200)),
                ('payload', models.JSONField()),
                ('status', models.CharField(choices=[('pending', 'Waiting'), ('sending', 'Sending'), ('sent', 'Sent'), ('gave_up', 'Given up')], default='pending', max_length=10)),
                ('attempts', models.PositiveIntegerField(default=0)),
                ('next_attempt_at', models.DateTimeField(default=django.utils.timezone.now)),
                ('claimed_at', models.DateTimeField(blank=True, null=True)),
                ('sent_at', models.DateTimeField(blank=True, null=True)),
                ('last_error', models.TextField(blank=True)),
                ('created_at', models.DateTimeField(default=django.utils.timezone.now)),
                ('channel', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='deliveries', to='seminar.chatchannel')),
            ],
            options={
                'ordering': ['-created_at', '-pk'],
                'indexes': [models.Index(fields=['status', 'next_attempt_at'], name='seminar_cha_status_04b73d_idx')],
                'constraints': [models.UniqueConstraint(fields=('channel', 'event_key'), name='chat_delivery_once_per_channel')],
            },
        ),
        migrations.CreateModel(
            name='PublishedPage',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('path', models.CharField(max_length=500)),
                ('blob_sha', models.CharField(max_length=64)),
                ('text', models.TextField()),
                ('commit_sha', models.CharField(blank=True, max_length=64)),
                ('published_at', models.DateTimeField(default=django.utils.timezone.now)),
                ('week', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='published_pages', to='seminar.week')),
                ('connection', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='published_pages', to='seminar.repositoryconnection')),
            ],
            options={
                'constraints': [models.UniqueConstraint(fields=('connection', 'week'), name='published_page_one_per_week')],
            },
        ),
        migrations.CreateModel(
            name='PendingPublication',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('state', models.CharField(choices=[('pending', 'Waiting to be pushed'), ('held', 'Held: the repository has changes to review')], default='pending', max_length=10)),
                ('reasons', models.JSONField(default=list)),
                ('co_author_ids', models.JSONField(default=list)),
                ('revision', models.PositiveIntegerField(default=1)),
                ('attempts', models.PositiveIntegerField(default=0)),
                ('next_attempt_at', models.DateTimeField(default=django.utils.timezone.now)),
                ('last_error', models.TextField(blank=True)),
                ('created_at', models.DateTimeField(default=django.utils.timezone.now)),
                ('week', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='seminar.week')),
                ('connection', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='pending_publications', to='seminar.repositoryconnection')),
            ],
            options={
                'constraints': [models.UniqueConstraint(fields=('connection', 'week'), name='pending_publication_one_per_week')],
            },
        ),
        migrations.CreateModel(
            name='IncomingChange',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('path', models.CharField(max_length=500)),
                ('base_text', models.TextField()),
                ('remote_text', models.TextField()),
                ('remote_blob_sha', models.CharField(blank=True, max_length=64)),
                ('status', models.CharField(choices=[('open', 'To review'), ('imported', 'Imported from the repository'), ('kept', "App's version kept"), ('superseded', 'Replaced by a newer edit')], default='open', max_length=12)),
                ('problem', models.TextField(blank=True)),
                ('detected_at', models.DateTimeField(default=django.utils.timezone.now)),
                ('resolved_at', models.DateTimeField(blank=True, null=True)),
                ('resolved_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('week', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='seminar.week')),
                ('connection', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='incoming_changes', to='seminar.repositoryconnection')),
            ],
            options={
                'ordering': ['-detected_at'],
                'constraints': [models.UniqueConstraint(condition=models.Q(('status', 'open')), fields=('connection', 'week'), name='incoming_change_one_open_per_week')],
            },
        ),
    ]
