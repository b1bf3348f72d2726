"""Dutch dates (see attachment_site/formats/__init__.py): month and day names in lowercase, as Dutch
writes them."""

DATE_FORMAT = "j F Y"  # 4 december 2026
DATETIME_FORMAT = "j F Y H:i"  # 4 december 2026 14:05
MONTH_DAY_FORMAT = "j F"  # 4 december
WEEKDAY_DATE_FORMAT = "l j F Y"  # vrijdag 4 december 2026
SHORT_DATE_FORMAT = "d-m-Y"  # 04-12-2026
SHORT_DATETIME_FORMAT = "d-m-Y H:i"  # 04-12-2026 14:05
