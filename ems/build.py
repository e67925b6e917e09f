"""Assembling a function's build context exactly as ``faas-cli build`` does.

The template folder is copied whole, the handler goes to ``function/``, and each
``configuration.copy`` path goes under ``function/`` as written (faas-cli joins the two:
``./src/faas_ems`` becomes ``function/src/faas_ems``). ``ems up`` runs the
result with the template's own command, so a layout mistake fails here first.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import yaml

from .paths import TEMPLATES
from .stack import FunctionSpec, Stack

_IGNORE = shutil.ignore_patterns("__pycache__", "*.pyc", ".pytest_cache")


def assemble(spec: FunctionSpec, stack: Stack, target: Path) -> Path:
    """Lay out ``target`` as faas-cli's ``build/<function>`` folder and return it."""
    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(TEMPLATES / spec.lang, target, ignore=_IGNORE)
    function_dir = target / "function"
    shutil.rmtree(function_dir, ignore_errors=True)
    shutil.copytree(spec.handler, function_dir, ignore=_IGNORE)
    for extra in stack.copy:
        source = (stack.base / extra).resolve()
        destination = function_dir / Path(extra)
        if source.is_dir():
            shutil.copytree(source, destination, ignore=_IGNORE, dirs_exist_ok=True)
        else:
            shutil.copy2(source, destination)
    return target


def template_command(lang: str) -> list[str]:
    """The ``fprocess`` the template's watchdog would start, as an argv list."""
    meta = yaml.safe_load((TEMPLATES / lang / "template.yml").read_text())
    return meta["fprocess"].split()


def template_pythonpath(lang: str) -> str:
    """The template Dockerfile's PYTHONPATH, relative to its WORKDIR (/home/app): ``ems
    up`` puts the same folder first, so both find the platform package in one place."""
    dockerfile = (TEMPLATES / lang / "Dockerfile").read_text()
    return re.search(r"PYTHONPATH=/home/app/(\S+)", dockerfile).group(1)
