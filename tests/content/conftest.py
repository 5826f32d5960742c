"""The content tests import their shared payloads (xss_payloads.py) by name."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
