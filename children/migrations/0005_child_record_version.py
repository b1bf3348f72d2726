# The child's record version (reports/pdf_cache.py): a constant default, no table rewrite.

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('children', '0004_tussenvoegsel_and_child_number'),
    ]

    operations = [
        migrations.AddField(
            model_name='child',
            name='record_version',
            field=models.BigIntegerField(db_default=0, default=0, editable=False),
        ),
    ]
