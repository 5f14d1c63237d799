"""Page numbers for the admin lists: `?page=N`, a fixed page size, links built
from the current query string (so a search or a filter survives paging)."""

from __future__ import annotations

from dataclasses import dataclass

from flask import request, url_for

PER_PAGE = 50
MAX_PAGE = 10_000  # OFFSET beyond this is a scan nobody needs: search instead


@dataclass(frozen=True)
class Pager:
    number: int
    total: int
    per_page: int = PER_PAGE

    @property
    def offset(self) -> int:
        return (self.number - 1) * self.per_page

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.pages

    def url(self, number: int) -> str:
        args = {key: value for key, value in request.args.items() if key != "page"}
        return url_for(request.endpoint or "", **(request.view_args or {}), **args, page=number)


def requested_page() -> int:
    try:
        number = int(request.args.get("page", "1"))
    except ValueError:
        return 1
    return min(max(number, 1), MAX_PAGE)
