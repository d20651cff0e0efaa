"""Problems in the content: collected, then shown to the user all at once."""

from __future__ import annotations

from .model import Location


class ContentError(Exception):
    """The content has problems; `problems` lists each as `path:line: message`."""

    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


class Problems:
    """Collects content problems so the user sees all of them, not just the first."""

    def __init__(self) -> None:
        self._items: list[str] = []

    def add(self, where: Location | str, message: str) -> None:
        self._items.append(f"{where}: {message}")

    def __bool__(self) -> bool:
        return bool(self._items)

    def raise_if_any(self) -> None:
        if self._items:
            raise ContentError(list(self._items))
