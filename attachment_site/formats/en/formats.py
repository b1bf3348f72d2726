"""English dates (see attachment_site/formats/__init__.py): the same names as the Dutch module, day
before month."""

DATE_FORMAT = "j F Y"  # 4 December 2026
DATETIME_FORMAT = "j F Y H:i"  # 4 December 2026 14:05
MONTH_DAY_FORMAT = "j F"  # 4 December
WEEKDAY_DATE_FORMAT = "l j F Y"  # Friday 4 December 2026
SHORT_DATE_FORMAT = "d-m-Y"  # 04-12-2026
SHORT_DATETIME_FORMAT = "d-m-Y H:i"  # 04-12-2026 14:05
