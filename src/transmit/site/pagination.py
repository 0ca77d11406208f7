"""Splitting a listing into numbered pages: `/`, `/page/2/`, ..."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

Item = TypeVar("Item")


@dataclass(frozen=True, slots=True)
class Pager(Generic[Item]):
    """One page of a listing; `base` is the listing's own path ("" for home, "tags/x/")."""

    items: tuple[Item, ...]
    number: int
    total: int
    base: str

    @property
    def path(self) -> str:
        return page_path(self.base, self.number)

    @property
    def previous_path(self) -> str | None:
        return page_path(self.base, self.number - 1) if self.number > 1 else None

    @property
    def next_path(self) -> str | None:
        return page_path(self.base, self.number + 1) if self.number < self.total else None

    def path_of(self, number: int) -> str:
        return page_path(self.base, number)

    def numbers(self, around: int = 2) -> list[int | None]:
        """The page numbers to show: first, last and `around` either side of this one; None
        stands for a gap, so a listing of 200 pages stays one short row."""
        return page_numbers(self.number, self.total, around)


def page_path(base: str, number: int) -> str:
    """Output path of page `number` of the listing at `base`."""
    return base if number == 1 else f"{base}page/{number}/"


def page_numbers(current: int, total: int, around: int = 2) -> list[int | None]:
    shown = sorted({1, total, *range(max(1, current - around), min(total, current + around) + 1)})
    numbers: list[int | None] = []
    for number in shown:
        if numbers and numbers[-1] is not None and number - numbers[-1] == 2:
            numbers.append(number - 1)  # a gap of one page shows the page, not an ellipsis
        elif numbers and number - (numbers[-1] or 0) > 2:
            numbers.append(None)
        numbers.append(number)
    return numbers


def paginate(items: Sequence[Item], per_page: int, base: str) -> list[Pager[Item]]:
    """At least one page, even for an empty listing, so its address always exists."""
    chunks = [tuple(items[i : i + per_page]) for i in range(0, len(items), per_page)] or [()]
    return [Pager(chunk, number, len(chunks), base) for number, chunk in enumerate(chunks, 1)]
