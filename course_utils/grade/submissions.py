"""What to grade: notebook files, folders of them, and .zip files of them, each with its label.

A submission's label is its path as given (``class/alice/02_sampling_scales.ipynb``); a
notebook inside a .zip file is labelled ``class.zip/alice/02_sampling_scales.ipynb``. A file
named on the command line is always a submission (an empty or corrupt one gets its own row);
in folders and .zip files, the ``.ipynb`` files are (not Jupyter's checkpoints).
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

__all__ = ["Submission", "collect"]

#: The largest notebook read: a class's notebooks are kilobytes (without outputs) to a few MB.
MAX_BYTES = 50 * 2**20


@dataclass(frozen=True)
class Submission:
    """One learner notebook: its label (path as given) and its bytes."""

    label: str
    content: bytes

    @property
    def name(self):
        """The notebook's file name, e.g. 02_sampling_scales.ipynb."""
        return PurePosixPath(self.label.replace("\\", "/")).name


def _wanted(name):
    parts = PurePosixPath(name).parts
    return name.endswith(".ipynb") and not any(
        part.startswith(".") or part == "__MACOSX" for part in parts
    )


def _read(path):
    if path.stat().st_size > MAX_BYTES:
        return f"larger than {MAX_BYTES // 2**20} MB".encode()  # judged as not a notebook
    return path.read_bytes()


def _from_zip(path, label):
    try:
        archive = zipfile.ZipFile(path)
    except zipfile.BadZipFile:
        raise ValueError(f"{label}: not a readable .zip file") from None
    with archive:
        for info in sorted(archive.infolist(), key=lambda i: i.filename):
            if info.is_dir() or not _wanted(info.filename):
                continue
            member = f"{label}/{info.filename}"
            if info.file_size > MAX_BYTES:
                yield Submission(member, f"larger than {MAX_BYTES // 2**20} MB".encode())
            else:
                yield Submission(member, archive.read(info))


def collect(paths):
    """The submissions at paths (files, folders, .zip files), in the order given. -> list

    Raises ValueError naming a path that does not exist or a .zip file that cannot be read.
    """
    submissions = []
    for given in paths:
        path, label = Path(given), str(given)
        if not path.exists():
            raise ValueError(f"{label}: no such file or folder")
        if path.is_dir():
            for found in sorted(path.rglob("*")):
                relative = found.relative_to(path).as_posix()
                if found.is_file() and _wanted(relative):
                    submissions.append(Submission(str(Path(label) / relative), _read(found)))
                elif found.is_file() and found.suffix == ".zip":
                    submissions.extend(_from_zip(found, str(Path(label) / relative)))
        elif path.suffix == ".zip":
            submissions.extend(_from_zip(path, label))
        else:
            submissions.append(Submission(label, _read(path)))
    return submissions
