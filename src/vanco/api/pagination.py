"""The API's limit/offset pagination, with the offset bounded: a number past what a database
integer holds is a 422 like any other bad parameter, not a database error."""

from ninja import Field, Schema
from ninja.conf import settings
from ninja.pagination import LimitOffsetPagination as NinjaLimitOffsetPagination
from ninja.pagination import paginate

__all__ = ["LimitOffsetPagination", "paginate"]

#: far beyond any list's length, well inside a 64-bit integer
MAX_OFFSET = 10**12


class LimitOffsetPagination(NinjaLimitOffsetPagination):
    class Input(Schema):
        limit: int = Field(settings.PAGINATION_PER_PAGE, ge=1, le=settings.PAGINATION_MAX_LIMIT)
        offset: int = Field(0, ge=0, le=MAX_OFFSET)
