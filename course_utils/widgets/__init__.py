"""The course's interactive apps, one module per notebook; each app is an ``App``."""

import importlib
import pkgutil

from .app import App

__all__ = ["App", "all_apps"]


def all_apps():
    """Every App class of the course, module by module (each module lists its apps in __all__)."""
    found = []
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda info: info.name):
        if info.name == "app":
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        for name in getattr(module, "__all__", []):
            cls = getattr(module, name)
            if isinstance(cls, type) and issubclass(cls, App) and cls is not App:
                found.append(cls)
    return found
