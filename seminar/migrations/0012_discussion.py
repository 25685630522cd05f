# Discussion: comments, questions, reactions, notifications (#15).
import django.db.models.deletion
import django.utils.timezone
import seminar.models.programme
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("seminar", "0011_integrations"),
        ("papers", "0001_initial"),
        ("reviews", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='week',
            name='hide_reviews_until_submitted',
            field=models.BooleanField(default=seminar.models.programme.default_hide_reviews, verbose_name="hide others' reviews until a reviewer submitted theirs"),
        ),
        migrations.CreateModel(
            name='Comment',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(choices=[('comment', 'Comment'), ('question', 'Question for the presenter')], default='comment', max_length=10, verbose_name='kind')),
                ('body', models.TextField(max_length=10000, verbose_name='text')),
                ('body_html', models.TextField(blank=True, editable=False)),
                ('created_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='written')),
                ('edited_at', models.DateTimeField(blank=True, null=True, verbose_name='edited')),
                ('deleted_at', models.DateTimeField(blank=True, null=True, verbose_name='deleted')),
                ('hidden_at', models.DateTimeField(blank=True, null=True, verbose_name='hidden')),
                ('hidden_reason', models.CharField(blank=True, max_length=200, verbose_name='reason for hiding')),
                ('answered_at', models.DateTimeField(blank=True, null=True, verbose_name='answered')),
                ('answered_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='marked answered by')),
                ('author', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='comments', to=settings.AUTH_USER_MODEL, verbose_name='author')),
                ('hidden_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='hidden by')),
                ('mentions', models.ManyToManyField(blank=True, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='mentions')),
                ('paper', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='comments', to='papers.candidatepaper')),
                ('parent', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='replies', to='seminar.comment')),
                ('review', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='comments', to='reviews.review')),
                ('topic', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='comments', to='seminar.topic')),
            ],
            options={
                'verbose_name': 'comment',
                'verbose_name_plural': 'comments',
                'ordering': ['created_at', 'pk'],
            },
        ),
        migrations.CreateModel(
            name='NotificationEmail',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(choices=[('immediate', 'Notification'), ('digest', 'Daily digest')], max_length=10, verbose_name='kind')),
                ('key', models.CharField(max_length=100, verbose_name='key')),
                ('status', models.CharField(choices=[('queued', 'Queued'), ('sending', 'Sending'), ('sent', 'Sent'), ('failed', 'Failed, will retry'), ('gave_up', 'Failed permanently'), ('cancelled', 'No longer needed')], default='queued', max_length=10, verbose_name='status')),
                ('send_after', models.DateTimeField(verbose_name='send after')),
                ('attempts', models.PositiveSmallIntegerField(default=0, verbose_name='attempts')),
                ('address', models.EmailField(blank=True, max_length=254, verbose_name='address')),
                ('last_error', models.TextField(blank=True, verbose_name='last error')),
                ('created_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='created')),
                ('claimed_at', models.DateTimeField(blank=True, null=True, verbose_name='claimed')),
                ('sent_at', models.DateTimeField(blank=True, null=True, verbose_name='sent')),
                ('recipient', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='notification_emails', to=settings.AUTH_USER_MODEL, verbose_name='recipient')),
            ],
            options={
                'verbose_name': 'notification email',
                'verbose_name_plural': 'notification emails',
                'ordering': ['-created_at'],
            },
        ),
        migrations.CreateModel(
            name='Notification',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(choices=[('reply', 'Reply or comment on your review'), ('mention', 'Mention'), ('question', 'Question for you'), ('new_review', 'New review of your topic')], max_length=12, verbose_name='kind')),
                ('key', models.CharField(max_length=100, verbose_name='key')),
                ('subject', models.CharField(blank=True, max_length=500, verbose_name='about')),
                ('link', models.CharField(blank=True, max_length=300, verbose_name='link')),
                ('created_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='created')),
                ('read_at', models.DateTimeField(blank=True, null=True, verbose_name='read')),
                ('actor', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='by')),
                ('comment', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='notifications', to='seminar.comment')),
                ('recipient', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='notifications', to=settings.AUTH_USER_MODEL, verbose_name='recipient')),
                ('review', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='notifications', to='reviews.review')),
                ('email', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='notifications', to='seminar.notificationemail', verbose_name='email')),
            ],
            options={
                'verbose_name': 'notification',
                'verbose_name_plural': 'notifications',
                'ordering': ['-created_at', '-pk'],
            },
        ),
        migrations.CreateModel(
            name='NotificationSettings',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('reply', models.CharField(choices=[('email', 'Email right away'), ('digest', 'In the daily digest email'), ('app', 'In the app only')], default='digest', max_length=10, verbose_name='replies and comments on your reviews')),
                ('mention', models.CharField(choices=[('email', 'Email right away'), ('digest', 'In the daily digest email'), ('app', 'In the app only')], default='email', max_length=10, verbose_name='mentions of you')),
                ('question', models.CharField(choices=[('email', 'Email right away'), ('digest', 'In the daily digest email'), ('app', 'In the app only')], default='email', max_length=10, verbose_name='questions for your presentations')),
                ('new_review', models.CharField(choices=[('email', 'Email right away'), ('digest', 'In the daily digest email'), ('app', 'In the app only')], default='digest', max_length=10, verbose_name='new reviews of topics you present')),
                ('digest_hour', models.PositiveSmallIntegerField(choices=[(0, '00:00'), (1, '01:00'), (2, '02:00'), (3, '03:00'), (4, '04:00'), (5, '05:00'), (6, '06:00'), (7, '07:00'), (8, '08:00'), (9, '09:00'), (10, '10:00'), (11, '11:00'), (12, '12:00'), (13, '13:00'), (14, '14:00'), (15, '15:00'), (16, '16:00'), (17, '17:00'), (18, '18:00'), (19, '19:00'), (20, '20:00'), (21, '21:00'), (22, '22:00'), (23, '23:00')], default=9, help_text='In your time zone; moved to the end of the quiet hours if inside them.', verbose_name='daily digest at')),
                ('member', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='notification_settings', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'verbose_name': 'notification settings',
                'verbose_name_plural': 'notification settings',
            },
        ),
        migrations.CreateModel(
            name='Reaction',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(choices=[('helpful', 'Helpful'), ('agree', 'Agree'), ('question', 'Question')], max_length=10, verbose_name='kind')),
                ('created_at', models.DateTimeField(default=django.utils.timezone.now)),
                ('comment', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='reactions', to='seminar.comment')),
                ('member', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='reactions', to=settings.AUTH_USER_MODEL)),
                ('review', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='reactions', to='reviews.review')),
            ],
            options={
                'verbose_name': 'reaction',
                'verbose_name_plural': 'reactions',
            },
        ),
        migrations.AddIndex(
            model_name='comment',
            index=models.Index(fields=['topic', 'created_at'], name='seminar_com_topic_i_8ad85e_idx'),
        ),
        migrations.AddIndex(
            model_name='comment',
            index=models.Index(fields=['review', 'created_at'], name='seminar_com_review__8d2947_idx'),
        ),
        migrations.AddIndex(
            model_name='comment',
            index=models.Index(fields=['paper', 'created_at'], name='seminar_com_paper_i_7ef4f0_idx'),
        ),
        migrations.AddConstraint(
            model_name='comment',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('paper__isnull', True), ('review__isnull', True), ('topic__isnull', False)), models.Q(('paper__isnull', True), ('review__isnull', False), ('topic__isnull', True)), models.Q(('paper__isnull', False), ('review__isnull', True), ('topic__isnull', True)), _connector='OR'), name='comment_has_one_target'),
        ),
        migrations.AddConstraint(
            model_name='comment',
            constraint=models.CheckConstraint(condition=models.Q(('kind', 'comment'), models.Q(('parent__isnull', True), ('topic__isnull', False)), _connector='OR'), name='question_is_top_level_on_a_topic'),
        ),
        migrations.AddIndex(
            model_name='notificationemail',
            index=models.Index(fields=['status', 'send_after'], name='seminar_not_status_4fd965_idx'),
        ),
        migrations.AddConstraint(
            model_name='notificationemail',
            constraint=models.UniqueConstraint(fields=('recipient', 'key'), name='notification_email_once_per_key'),
        ),
        migrations.AddIndex(
            model_name='notification',
            index=models.Index(fields=['recipient', 'read_at'], name='seminar_not_recipie_362aed_idx'),
        ),
        migrations.AddIndex(
            model_name='notification',
            index=models.Index(fields=['recipient', '-created_at'], name='seminar_not_recipie_bf7408_idx'),
        ),
        migrations.AddConstraint(
            model_name='notification',
            constraint=models.UniqueConstraint(fields=('recipient', 'key'), name='notification_once_per_event'),
        ),
        migrations.AddConstraint(
            model_name='notificationsettings',
            constraint=models.CheckConstraint(condition=models.Q(('digest_hour__lte', 23)), name='digest_hour_valid'),
        ),
        migrations.AddConstraint(
            model_name='reaction',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('comment__isnull', False), ('review__isnull', True)), models.Q(('comment__isnull', True), ('review__isnull', False)), _connector='OR'), name='reaction_has_one_target'),
        ),
        migrations.AddConstraint(
            model_name='reaction',
            constraint=models.UniqueConstraint(condition=models.Q(('comment__isnull', False)), fields=('member', 'kind', 'comment'), name='one_reaction_per_kind_per_comment'),
        ),
        migrations.AddConstraint(
            model_name='reaction',
            constraint=models.UniqueConstraint(condition=models.Q(('review__isnull', False)), fields=('member', 'kind', 'review'), name='one_reaction_per_kind_per_review'),
        ),
    ]
