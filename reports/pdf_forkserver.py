"""Imported once by the forkserver of the PDF pool (reports/pdf_render.py): Django set up and the
renderer imported there, so that each PDF process forked from it starts ready and shares those
pages with the others instead of importing everything again."""

import django

django.setup(set_prefix=False)

from reports import pdf  # noqa: E402, F401  (the renderer, its templates and models: after setup)
