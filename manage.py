#!/usr/bin/env python
import os
import sys


def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "attachment_site.settings")
    from django.core.management import execute_from_command_line

    import attachment_site.checks  # noqa: F401  (registers the production refusal for `check --deploy`)

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
