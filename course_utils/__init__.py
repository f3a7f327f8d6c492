"""course_utils: the numpy package behind the course's notebooks."""

from .environment import check_environment

__all__ = ["check_environment"]
__version__ = "0.1.0"
