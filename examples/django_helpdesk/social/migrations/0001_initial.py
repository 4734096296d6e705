import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True
    dependencies = [("helpdesk", "__first__")]

    operations = [
        migrations.CreateModel(
            name="FeedCursor",
            fields=[("name", models.CharField(max_length=32, primary_key=True, serialize=False)),
                    ("last_id", models.BigIntegerField(default=0))],
        ),
        migrations.CreateModel(
            name="Recovery",
            fields=[("id", models.BigAutoField(auto_created=True, primary_key=True,
                                               serialize=False, verbose_name="ID")),
                    ("case_id", models.BigIntegerField(unique=True)),
                    ("brand", models.CharField(max_length=64)),
                    ("ticket", models.OneToOneField(
                        on_delete=django.db.models.deletion.PROTECT, related_name="recovery",
                        to="helpdesk.ticket"))],
        ),
    ]
