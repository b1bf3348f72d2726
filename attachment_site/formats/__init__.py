"""How the site writes dates, per language (settings.FORMAT_MODULE_PATH): Django reads these modules
before its own locale formats, so only what differs from Django's is here.

Templates name a format, never spell one out: `{{ day|date:"DATE_FORMAT" }}` (tests/test_date_formats.py
keeps it so). The names:

- DATE_FORMAT: a date in words, "4 december 2026" (Dutch writes month names in lowercase; Django's
  "M" would give "Dec", capitalised, so no format here uses it);
- DATETIME_FORMAT: the same with the time, "4 december 2026 14:05";
- MONTH_DAY_FORMAT: day and month, "4 december";
- WEEKDAY_DATE_FORMAT (our own name): with the day of the week, "vrijdag 4 december 2026";
- SHORT_DATE_FORMAT and SHORT_DATETIME_FORMAT: numeric, "04-12-2026" and "04-12-2026 14:05", as
  organisations.calendar.numeric_date writes them in messages and files (templates use its filter,
  `{% load dates %}{{ day|numeric_date }}`).
"""
