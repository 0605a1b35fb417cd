"""The one way tests set environment variables for a block of code, at any fixture scope.

Function-scoped tests can take pytest's ``monkeypatch`` fixture; module- and session-scoped
fixtures cannot, so they use ``patched_environ``, which is the same ``MonkeyPatch`` as a
context manager: every variable is restored (or removed) on the way out, whatever happens.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Mapping

import pytest


@contextlib.contextmanager
def patched_environ(values: Mapping[str, str]) -> Iterator[pytest.MonkeyPatch]:
    """``os.environ`` with ``values`` set inside the block; the patch, for more ``setenv`` calls."""
    with pytest.MonkeyPatch.context() as patch:
        for name, value in values.items():
            patch.setenv(name, value)
        yield patch
