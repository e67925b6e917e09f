"""Reading stack.yml the way faas-cli does, for what ``ems up`` needs."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import yaml

from .paths import STACK_FILE

SCALE_MIN = "com.openfaas.scale.min"
SCALE_MAX = "com.openfaas.scale.max"


@dataclass
class FunctionSpec:
    name: str
    lang: str
    handler: Path
    image: str
    environment: dict[str, str] = field(default_factory=dict)
    secrets: list[str] = field(default_factory=list)
    annotations: dict[str, str] = field(default_factory=dict)
    labels: dict[str, str] = field(default_factory=dict)

    @property
    def scale_min(self) -> int:
        return int(self.labels.get(SCALE_MIN, 1))

    @property
    def scale_max(self) -> int:
        return int(self.labels.get(SCALE_MAX, 20))

    @property
    def topics(self) -> list[str]:
        raw = self.annotations.get("topic", "")
        return [topic.strip() for topic in raw.split(",") if topic.strip()]


@dataclass
class Stack:
    functions: dict[str, FunctionSpec]
    copy: list[str]
    base: Path
    raw: dict


def _environment(entry: dict, base: Path) -> dict[str, str]:
    env: dict[str, str] = {}
    for env_file in entry.get("environment_file") or []:
        loaded = yaml.safe_load((base / env_file).read_text()) or {}
        env.update({k: str(v) for k, v in (loaded.get("environment") or {}).items()})
    env.update({k: str(v) for k, v in (entry.get("environment") or {}).items()})
    return env


def load(path: Path = STACK_FILE) -> Stack:
    raw = yaml.safe_load(path.read_text())
    base = path.parent
    functions = {}
    for name, entry in (raw.get("functions") or {}).items():
        functions[name] = FunctionSpec(
            name=name,
            lang=entry["lang"],
            handler=(base / entry["handler"]).resolve(),
            image=entry.get("image", f"{name}:latest"),
            environment=_environment(entry, base),
            secrets=list(entry.get("secrets") or []),
            annotations={k: str(v) for k, v in (entry.get("annotations") or {}).items()},
            labels={k: str(v) for k, v in (entry.get("labels") or {}).items()},
        )
    copy = list((raw.get("configuration") or {}).get("copy") or [])
    return Stack(functions=functions, copy=copy, base=base, raw=raw)
