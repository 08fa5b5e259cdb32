"""Python's full garbage collection walks every live object. After a lint that kept the models of
thousands of files (for an HTML or SARIF report), one costs about a quarter of a second and frees
nothing: those objects live until the command ends. Building a report allocates enough to set
one off, so the objects alive before it are set aside (gc.freeze) while it is built."""

from __future__ import annotations

import gc
from contextlib import contextmanager


@contextmanager
def long_lived():
    """Objects alive on entry are not walked by the collector until exit."""
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()
