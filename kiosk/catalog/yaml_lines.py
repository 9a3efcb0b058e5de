"""YAML loading that remembers where each mapping and list came from, for ``file:line`` errors."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml


class LocatedDict(dict):
    """A mapping that knows its file and line, and the line of each key."""

    file: str = ""
    line: int = 0
    key_lines: dict[str, int]

    def where(self, key: str | None = None) -> str:
        line = self.key_lines.get(key, self.line) if key is not None else self.line
        return f"{self.file}:{line}"


class LocatedList(list):
    file: str = ""
    line: int = 0

    def where(self) -> str:
        return f"{self.file}:{self.line}"


_BASE = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml's parser is ~10x faster


def _loader_for(file: str) -> type[yaml.SafeLoader]:
    class Loader(_BASE):  # type: ignore[misc,valid-type]
        pass

    def mapping(loader: yaml.SafeLoader, node: yaml.MappingNode) -> LocatedDict:
        result = LocatedDict()
        result.file, result.line, result.key_lines = file, node.start_mark.line + 1, {}
        for key_node, value_node in node.value:
            key = loader.construct_object(key_node, deep=True)
            if key in result:
                raise yaml.constructor.ConstructorError(
                    None, None, f"duplicate key {key!r}", key_node.start_mark
                )
            result[key] = loader.construct_object(value_node, deep=True)
            result.key_lines[str(key)] = key_node.start_mark.line + 1
        return result

    def sequence(loader: yaml.SafeLoader, node: yaml.SequenceNode) -> LocatedList:
        result = LocatedList(loader.construct_object(child, deep=True) for child in node.value)
        result.file, result.line = file, node.start_mark.line + 1
        return result

    Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, mapping)
    Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, sequence)
    return Loader


def load_located(path: Path, display: str) -> Any:
    """Parse ``path``; raises ValueError('file:line: reason') on a syntax error."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise ValueError(f"{display}:1: cannot read: {error}") from None
    try:
        return yaml.load(text, Loader=_loader_for(display))
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark else 1
        raise ValueError(f"{display}:{line}: YAML error: {error.problem or error}") from None
