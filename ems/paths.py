"""Where things are in a checkout."""

from pathlib import Path

import faas_ems

ROOT = Path(__file__).resolve().parent.parent
STACK_FILE = ROOT / "stack.yml"
TEMPLATES = ROOT / "templates"
# The contexts (and their migrations) are wherever the platform package is installed.
CONTEXTS = Path(faas_ems.__file__).parent
FRONTEND_DIST = ROOT / "frontend" / "dist"
# The HTTP contract, served at /openapi.yaml (and by nginx in Swarm).
OPENAPI = ROOT / "docs" / "openapi.yaml"
STATE = ROOT / ".ems"
