from typing import Any

from django.core.management.base import BaseCommand

from demo.second_factor import DEMO_SECRET, demo_code


class Command(BaseCommand):
    help = "Print the demo logins' second-step code of this moment (their app's key is DEMO_SECRET)."

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(f"{demo_code()}  (key {DEMO_SECRET}; a new code every 30 seconds)")
