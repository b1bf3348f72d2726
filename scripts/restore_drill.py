"""The restore drill (`make restore-drill`): dump a demo database, restore it, show the app serves the same.

What it does and checks: attachment_site/restore_drill.py. Exits non-zero on any difference.
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from attachment_site.restore_drill import main

if __name__ == "__main__":
    sys.exit(main())
