"""`SUTAZAI_TUI_*` environment variables as settings values, and the merge of the sources.

Hand-written in place of pydantic-settings (issue 19): we used one source of it (env) in one way,
and it cost ~1.2 MiB and ~13 ms of imports in every process (33 modules: cloud secret providers,
dotenv, its own CLI parser). The rules are pydantic-settings' as we used them:
- `SUTAZAI_TUI_<FIELD>`, matched case-insensitively; unknown names with the prefix are ignored
  (tests and scripts use a few of their own);
- lists, tables and sub-models (or unions holding one) are JSON, other values are plain strings
  that the model converts (`"7"` -> 7.0, `"true"` -> True);
- `SUTAZAI_TUI_<FIELD>__<KEY>[__<KEY>…]` sets one key of a table or sub-model (keys lower-cased),
  merged into that field's other values;
- sources merge table by table: a key given at a higher priority replaces that key only.
"""

from __future__ import annotations

import json
import types
from collections.abc import Mapping
from typing import Any, Union, get_args, get_origin

from pydantic import BaseModel

from sutazai_tui.config.errors import ConfigError

_CONTAINERS = (list, dict, tuple, set, frozenset)


def is_complex(annotation: Any) -> bool:
    """Whether a field's env value is JSON: a list, table or sub-model, or a union holding one."""
    origin = get_origin(annotation)
    if origin is Union or origin is types.UnionType:
        return any(is_complex(a) for a in get_args(annotation) if a is not type(None))
    if origin in _CONTAINERS or annotation in _CONTAINERS:
        return True
    return isinstance(annotation, type) and issubclass(annotation, BaseModel)


def _json(name: str, value: str) -> Any:
    try:
        return json.loads(value)
    except ValueError as exc:
        msg = getattr(exc, "msg", str(exc))
        raise ConfigError(f"env {name} is not valid JSON ({msg}) — set it to a JSON list or table") from None


def _leaf(value: str) -> Any:
    # One key of a table: JSON when it plainly is a list or table (required_env's lists), else text.
    text = value.strip()
    if text[:1] in ("[", "{"):
        try:
            return json.loads(text)
        except ValueError:
            return value
    return value


def env_values(model: type[BaseModel], prefix: str, environ: Mapping[str, str]) -> dict[str, Any]:
    """The values `environ` gives the fields of `model`, as the model will validate them."""
    mine = {k.upper(): v for k, v in environ.items() if k.upper().startswith(prefix)}
    found: dict[str, Any] = {}
    for field, info in model.model_fields.items():
        name = prefix + field.upper()
        if name in mine:
            found[field] = _json(name, mine[name]) if is_complex(info.annotation) else mine[name]
        nested = sorted((k[len(name) + 2 :], v) for k, v in mine.items() if k.startswith(name + "__"))
        if not nested:
            continue
        tree: dict[str, Any] = found[field] if isinstance(found.get(field), dict) else {}
        for rest, value in nested:
            *keys, last = rest.lower().split("__")
            node = tree
            for key in keys:
                child = node.get(key)
                if not isinstance(child, dict):
                    child = node[key] = {}
                node = child
            node[last] = _leaf(value)
        found[field] = tree
    return found


def deep_update(*sources: Mapping[str, Any]) -> dict[str, Any]:
    """The sources merged, later ones winning key by key inside tables (lists are replaced whole)."""
    merged: dict[str, Any] = {}
    for source in sources:
        for key, value in source.items():
            old = merged.get(key)
            if isinstance(old, dict) and isinstance(value, Mapping):
                merged[key] = deep_update(old, value)
            else:
                merged[key] = value
    return merged
