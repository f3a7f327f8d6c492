"""course_utils: the numpy package behind the course's notebooks."""

__all__ = ["check_environment"]
__version__ = "0.1.0"


def __getattr__(name):
    # imported on first use: `python -m course_utils.environment` then runs the module once
    if name == "check_environment":
        from .environment import check_environment

        return check_environment
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
