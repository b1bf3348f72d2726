"""The numeric date in templates: `{% load dates %}{{ day|numeric_date }}`, `{{ moment|numeric_moment }}`.

The same functions write dates in messages, CSV files and exports (organisations/calendar.py), so a
date reads 29-11-2026 wherever it is numeric. Dates in words use the named formats instead
(`|date:"DATE_FORMAT"`, attachment_site/formats/).
"""

from django import template

from organisations.calendar import numeric_date, numeric_moment

register = template.Library()
register.filter("numeric_date", numeric_date)
register.filter("numeric_moment", numeric_moment)
