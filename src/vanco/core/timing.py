"""Server-side timing for `vanco bench`: a Server-Timing header with time and SQL query count.

Off unless VANCO_SERVER_TIMING is set; it then only adds a header, never changes a response.
"""

import time

from django.conf import settings
from django.db import connections


class _QueryCounter:
    def __init__(self):
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


class ServerTimingMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not settings.VANCO_SERVER_TIMING:
            return self.get_response(request)
        counter = _QueryCounter()
        started = time.perf_counter()
        with connections["default"].execute_wrapper(counter):
            response = self.get_response(request)
            if hasattr(response, "render") and not getattr(response, "is_rendered", True):
                response.render()
        elapsed_ms = (time.perf_counter() - started) * 1000
        response["Server-Timing"] = f'app;dur={elapsed_ms:.2f}, db;desc="{counter.count}"'
        return response
