"""The entry form's choice chips (situation, circumstances): each <input> written in Python.

`{{ radio.tag }}` renders three nested widget templates per choice (django/forms/widgets/
input_option.html, input.html, attrs.html); on the entry form that was 15 choices and a tenth of the
page's time. `option_input` writes the same markup as those templates (input_option.html without the
wrapping label) from the same data, the option's `BoundWidget.data`.
"""

from __future__ import annotations

from django import template
from django.forms.boundfield import BoundWidget
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe

register = template.Library()


@register.filter
def option_input(option: BoundWidget) -> SafeString:
    """What `option.tag` renders (the <input> of one choice of a RadioSelect or CheckboxSelectMultiple)."""
    data = option.data
    html = [f'<input type="{conditional_escape(data["type"])}" name="{conditional_escape(data["name"])}"']
    if data["value"] is not None:
        html.append(f' value="{conditional_escape(str(data["value"]))}"')
    for name, value in data["attrs"].items():
        if value is True:
            html.append(f" {conditional_escape(name)}")
        elif value is not False:
            html.append(f' {conditional_escape(name)}="{conditional_escape(str(value))}"')
    html.append(">")
    return mark_safe("".join(html))  # every value escaped above
