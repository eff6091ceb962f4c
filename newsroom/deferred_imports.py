"""Modules a web worker imports only when something first uses them.

DRF's `rest_framework.compat` imports PyYAML, uritemplate and inflection whenever they are
installed, only to learn whether they are; drf-spectacular requires the first two. In a web
worker nothing but the schema (`/api/schema/`) uses them, yet they held 1.0 MiB of every
worker (docs/performance.md, "Seventh round"). `defer_imports()` puts a stand-in for each in
`sys.modules`: `import yaml` then succeeds at once without running the module, and the first
use of one of its attributes imports it.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
import threading
import types

_loading = threading.RLock()  # a module imported may use another stand-in


class DeferredModule(types.ModuleType):
    """Stands in for a module that is installed but not imported yet.

    Its first attribute that is missing (any of the module's own) imports the real module,
    which then replaces it in `sys.modules`; the stand-in copies the real module's attributes,
    so whoever kept a reference to it keeps working without coming back here.
    """

    def __getattr__(self, attribute: str):
        return getattr(self._module(), attribute)

    def _module(self) -> types.ModuleType:
        name = self.__name__
        with _loading:
            if sys.modules.get(name) is self:
                del sys.modules[name]
            module = importlib.import_module(name)
            self.__dict__.update(module.__dict__)
        return module


def defer_imports(*names: str) -> None:
    """A `DeferredModule` in `sys.modules` for each top-level module of `names` that is
    installed and not imported yet. One that is not installed stays absent, so importing it
    still raises ImportError."""
    for name in names:
        if name in sys.modules:
            continue
        spec = importlib.util.find_spec(name)
        if spec is None:
            continue
        module = DeferredModule(name)
        module.__spec__ = spec
        sys.modules[name] = module
