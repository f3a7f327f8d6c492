"""The course's interactive apps, one module per notebook; each app is an ``App``."""

from .app import App

__all__ = ["App"]
