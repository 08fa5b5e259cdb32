import sys
from pathlib import Path

# The case-file loader is shared by the lint, fix and oracle tests.
sys.path.insert(0, str(Path(__file__).parent))
