"""Reading in an organisation from its planning system (KindPlanner, Konnect, Flexkids): its locations
and groups, children, their placements and mentors, and the staff with their roles and groups, from the
system's export; a new organisation can start from the file alone.

Four plain functions, so the command (`import_organisation`) and a later upload page share them:
`read_table(file)` (reading.py), `recognise_columns(headers)` (columns.py), `plan_import(...)`, the
dry run (planning.py), and `apply_import(plan, by=user)` (applying.py).

Why not a library for the whole job: django-import-export couples the import to the admin and its
resources, and would still need every rule here (the Kindnummer, moves, mentors of the group, the
confirmation before ending). Why not tablib, considered for reading: its Excel reader opens the
workbook with `data_only=True`, so a formula cell arrives as whatever value another program last
computed for it (or empty) and a `=HYPERLINK(...)` could not be seen and refused; its CSV reader
drops blank lines, so a refused row could not be named by the line a person sees. The standard
`csv` module and openpyxl (`data_only=False`, read-only) do both, and openpyxl is the one new
dependency (tablib[xlsx] would have installed it anyway).

Floor: above privacy (an ending counts for the retention rule, privacy/retention.py) and the access
log (the import is recorded there), below demo and pages.
"""
