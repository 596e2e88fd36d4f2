"""Declarative table columns for list pages and their Excel exports (one definition, both uses)."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import Model


@dataclass(frozen=True)
class Column:
    name: str
    label: Any
    value: Callable[[Model], Any] | None = None
    sort: str | None = None  # ORM ordering expression; None = not sortable
    link: bool = False
    numeric: bool = False
    #: indent by the row's tree depth when the list is in tree order (no other sort)
    tree: bool = False
    #: keep the cell on one line (codes, dates, badges)
    nowrap: bool = False
    #: extra CSS classes of the header and the cells, e.g. "d-none d-md-table-cell"
    classes: str = ""
    #: sum this column over every filtered row (not just the page) in a totals row
    total: bool = False

    @property
    def css(self) -> str:
        """The header's and the cells' classes: alignment, wrapping and the extra ones."""
        parts = ["text-end" if self.numeric else "", "text-nowrap" if self.nowrap else ""]
        return " ".join(part for part in [*parts, self.classes] if part)

    def get(self, obj: Model) -> Any:
        if self.value is not None:
            return self.value(obj)
        value: Any = obj
        for part in self.name.split("__"):
            value = getattr(value, part, None)
            if value is None:
                return None
        if hasattr(value, "all") and callable(value.all):
            return ", ".join(str(item) for item in value.all())
        return value


def display(obj: Model, field: str) -> Any:
    """The label of a choice field, the value otherwise."""
    getter = getattr(obj, f"get_{field}_display", None)
    return getter() if getter else getattr(obj, field)
