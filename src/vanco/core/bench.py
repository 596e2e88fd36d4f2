"""`vanco bench`: measure pages of a running Vanco server on demo data.

The server is the real one (`vanco serve`: gunicorn, whitenoise, DEBUG off) started with
VANCO_SERVER_TIMING=1, so each response reports its own server time and SQL query count in a
`Server-Timing` header. Scenarios log in as demo users through the login form.
"""

import http.cookiejar
import json
import re
import statistics
import time
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field

_CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
_TIMING = re.compile(r'app;dur=([0-9.]+), db;desc="(\d+)"')


@dataclass
class Scenario:
    name: str
    username: str
    #: returns (method, path, form data or None); called once per request, so a write can
    #: pick a fresh target each time
    request: Callable[[int], tuple[str, str, dict | None]]
    target_ms: float = 150.0
    bearer: bool = False


@dataclass
class Result:
    name: str
    runs: int
    p50_ms: float
    p95_ms: float
    max_ms: float
    queries: list[int] = field(default_factory=list)
    target_ms: float = 150.0
    statuses: list[int] = field(default_factory=list)

    @property
    def queries_text(self) -> str:
        low, high = min(self.queries), max(self.queries)
        return str(low) if low == high else f"{low}–{high}"

    @property
    def ok(self) -> bool:
        return self.p95_ms <= self.target_ms and all(200 <= s < 400 for s in self.statuses)

    def as_dict(self) -> dict:
        return {
            "name": self.name,
            "runs": self.runs,
            "p50_ms": round(self.p50_ms, 1),
            "p95_ms": round(self.p95_ms, 1),
            "max_ms": round(self.max_ms, 1),
            "queries": sorted(set(self.queries)),
            "target_ms": self.target_ms,
            "ok": self.ok,
        }


class Session:
    """A signed-in browser-like client (cookies + CSRF) or an API client with a token."""

    def __init__(self, base_url: str):
        self.base_url = base_url.rstrip("/")
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))
        self.token = ""

    def _open(self, method: str, path: str, data: dict | None = None):
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        request = urllib.request.Request(  # noqa: S310 (http to our own loopback server)
            self.base_url + path, data=body, method=method
        )
        if self.token:
            request.add_header("Authorization", f"Bearer {self.token}")
        csrf = next((c.value for c in self.jar if c.name == "csrftoken"), None)
        if csrf and method == "POST":
            request.add_header("X-CSRFToken", csrf)
            request.add_header("Referer", self.base_url + path)
        try:
            return self.opener.open(request, timeout=60)
        except urllib.error.HTTPError as error:
            return error

    def log_in(self, username: str, password: str) -> None:
        page = self._open("GET", "/accounts/login/").read().decode()
        token = _CSRF_INPUT.search(page).group(1)
        response = self._open(
            "POST",
            "/accounts/login/",
            {"username": username, "password": password, "csrfmiddlewaretoken": token},
        )
        if "sessionid" not in {cookie.name for cookie in self.jar}:
            raise RuntimeError(f"could not log in as {username} (status {response.status})")

    def timed(self, method: str, path: str, data: dict | None) -> tuple[int, float, int]:
        if data is not None and method == "POST":
            data = {**data, "csrfmiddlewaretoken": self._csrf_from_form(path)}
        response = self._open(method, path, data)
        response.read()
        match = _TIMING.search(response.headers.get("Server-Timing", ""))
        if match is None:
            raise RuntimeError(f"{path}: no Server-Timing header (status {response.status})")
        return response.status, float(match.group(1)), int(match.group(2))

    def _csrf_from_form(self, path: str) -> str:
        page = self._open("GET", path).read().decode()
        found = _CSRF_INPUT.search(page)
        return found.group(1) if found else ""


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    index = max(0, min(len(ordered) - 1, round(fraction * (len(ordered) - 1))))
    return ordered[index]


def run(
    scenarios: list[Scenario],
    *,
    base_url: str,
    password: str,
    runs: int,
    warmup: int = 3,
    token_for: Callable[[str], str] | None = None,
):
    sessions: dict[tuple[str, bool], Session] = {}
    results = []
    for scenario in scenarios:
        key = (scenario.username, scenario.bearer)
        session = sessions.get(key)
        if session is None:
            session = sessions[key] = Session(base_url)
            if scenario.bearer:
                session.token = token_for(scenario.username)
            else:
                session.log_in(scenario.username, password)
        times, queries, statuses = [], [], []
        for index in range(warmup + runs):
            method, path, data = scenario.request(index)
            status, elapsed, count = session.timed(method, path, data)
            if index >= warmup:
                times.append(elapsed)
                queries.append(count)
                statuses.append(status)
        results.append(
            Result(
                name=scenario.name,
                runs=runs,
                p50_ms=statistics.median(times),
                p95_ms=percentile(times, 0.95),
                max_ms=max(times),
                queries=queries,
                target_ms=scenario.target_ms,
                statuses=statuses,
            )
        )
    return results


@dataclass
class Job:
    """Work measured in-process rather than over HTTP (a background task's duration)."""

    name: str
    #: does the work once and returns True when it succeeded
    call: Callable[[int], bool]
    target_ms: float


def run_jobs(jobs: list[Job], *, runs: int) -> list[Result]:
    results = []
    for job in jobs:
        times, statuses = [], []
        for index in range(runs):
            started = time.perf_counter()
            ok = job.call(index)
            times.append((time.perf_counter() - started) * 1000)
            statuses.append(200 if ok else 500)
        results.append(
            Result(
                name=job.name,
                runs=runs,
                p50_ms=statistics.median(times),
                p95_ms=percentile(times, 0.95),
                max_ms=max(times),
                queries=[0],
                target_ms=job.target_ms,
                statuses=statuses,
            )
        )
    return results


def table(results: list[Result]) -> str:
    lines = [
        f"{'page':<44} {'p50 ms':>8} {'p95 ms':>8} {'target':>7} {'queries':>8}  ",
        "-" * 82,
    ]
    for result in results:
        failed = sorted({status for status in result.statuses if not 200 <= status < 400})
        mark = "ok" if result.ok else f"HTTP {failed}" if failed else "SLOW"
        lines.append(
            f"{result.name:<44} {result.p50_ms:>8.1f} {result.p95_ms:>8.1f} "
            f"{result.target_ms:>7.0f} {result.queries_text:>8}  {mark}"
        )
    return "\n".join(lines)


def write_json(path, results: list[Result], meta: dict) -> None:
    payload = {"meta": meta, "results": [result.as_dict() for result in results]}
    path.write_text(json.dumps(payload, indent=2, ensure_ascii=False))


def wait_until_up(base_url: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(base_url + "/healthz", timeout=2):  # noqa: S310
                return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"the server at {base_url} did not start within {timeout:.0f} s")
