"""Problems in the content: collected, then shown to the user all at once."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from mlbook.model import Location


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with the content, and where: shown as `path:line: message`."""

    location: Location | Path
    """The line it is on, or the file (or folder) when it is not on one line."""
    message: str
    """What is wrong and, where it can, how to put it right."""

    def __str__(self) -> str:
        return f"{self.location}: {self.message}"

    def moved(self, old: Path, new: Path) -> Problem:
        """The same problem in a copy of the content: its path under `new` where it was under `old`."""
        path = self.location.path if isinstance(self.location, Location) else self.location
        if not path.is_relative_to(old):
            return self
        path = new / path.relative_to(old)
        return Problem(Location(path, self.location.line) if isinstance(self.location, Location) else path,
                       self.message)


class ContentError(Exception):
    """The content has problems; `problems` lists each with its place."""

    def __init__(self, problems: list[Problem]):
        super().__init__("\n".join(map(str, problems)))
        self.problems = problems


class Problems:
    """Collects content problems so the user sees all of them, not just the first."""

    def __init__(self) -> None:
        self._items: list[Problem] = []

    def add(self, where: Location | Path, message: str) -> None:
        self._items.append(Problem(where, message))

    def items(self) -> list[Problem]:
        return list(self._items)

    def __bool__(self) -> bool:
        return bool(self._items)

    def raise_if_any(self) -> None:
        if self._items:
            raise ContentError(list(self._items))
