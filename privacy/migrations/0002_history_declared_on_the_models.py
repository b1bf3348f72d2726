"""The history of children, placements, mentorships, memberships and users is declared on those
models now (children/migrations/0002, staff/migrations/0003 take the historical models over): they
leave this app's state only. Their tables (`privacy_historical...`) and rows stay as they are."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("privacy", "0001_initial"),
        ("children", "0002_history_declared_on_the_model"),
        ("staff", "0003_history_declared_on_the_model"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name="HistoricalChild"),
                migrations.DeleteModel(name="HistoricalPlacement"),
                migrations.DeleteModel(name="HistoricalMentorship"),
                migrations.DeleteModel(name="HistoricalMembership"),
                migrations.DeleteModel(name="HistoricalUser"),
            ],
            database_operations=[],
        ),
    ]
