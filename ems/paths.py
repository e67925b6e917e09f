"""Where things are in a checkout."""

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
STACK_FILE = ROOT / "stack.yml"
TEMPLATES = ROOT / "templates"
CONTEXTS = ROOT / "contexts"
FRONTEND_DIST = ROOT / "frontend" / "dist"
STATE = ROOT / ".ems"
