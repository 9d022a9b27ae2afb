"""Memos keyed by a graph, for the per-graph indexes and answers of the analysis.

A :class:`weakref.WeakKeyDictionary` builds a weak reference on every look-up; the analysis looks up the
memos of one graph about a million times at 100,000 resources (issue 17), so that cost was seconds.
:class:`GraphKeyed` answers a look-up of the graph it saw last from a plain identity check.
"""

from __future__ import annotations

import weakref
from typing import Any

_MISSING = object()


class GraphKeyed(weakref.WeakKeyDictionary):
    """A :class:`weakref.WeakKeyDictionary` (graphs are compared by identity) that remembers its last
    look-up. The entry goes with the graph, as before."""

    def __init__(self) -> None:
        super().__init__()
        self._last: tuple[weakref.ref, Any] | None = None

    def get(self, key: Any, default: Any = None) -> Any:
        last = self._last
        if last is not None and last[0]() is key:
            return last[1]
        value = super().get(key, _MISSING)
        if value is _MISSING:
            return default
        self._remember(key, value)
        return value

    def _remember(self, key: Any, value: Any) -> None:
        # the callback drops the remembered value with its graph (it may be large: every assessment)
        self._last = (weakref.ref(key, self._drop_last), value)

    def _drop_last(self, _ref: weakref.ref) -> None:
        self._last = None

    def __getitem__(self, key: Any) -> Any:
        value = self.get(key, _MISSING)
        if value is _MISSING:
            raise KeyError(key)
        return value

    def __setitem__(self, key: Any, value: Any) -> None:
        super().__setitem__(key, value)
        self._remember(key, value)

    def setdefault(self, key: Any, default: Any = None) -> Any:
        value = self.get(key, _MISSING)
        if value is _MISSING:
            self[key] = value = default
        return value

    def __delitem__(self, key: Any) -> None:
        self._last = None
        super().__delitem__(key)

    def pop(self, key: Any, *args: Any) -> Any:
        self._last = None
        return super().pop(key, *args)

    def clear(self) -> None:
        self._last = None
        super().clear()
