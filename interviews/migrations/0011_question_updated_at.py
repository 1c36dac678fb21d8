from django.db import migrations, models
from django.utils import timezone


class Migration(migrations.Migration):
    dependencies = [("interviews", "0010_message_charged_on")]

    operations = [
        migrations.AddField(
            model_name="question",
            name="updated_at",
            field=models.DateTimeField(auto_now=True, default=timezone.now),
            preserve_default=False,
        ),
    ]
