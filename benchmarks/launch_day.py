"""A national launch day: every kind of visitor at once, against real `courseware serve` processes.

    .venv/bin/python benchmarks/launch_day.py [--duration 30] [--runs 3] [--rate 650]
                                              [--backend sqlite|postgresql|both] [--cost]

For each backend it starts `courseware serve --workers 2` (gunicorn, through
tests/live_server.py), prepares learners through the real forms (sign-up, the
confirmation mail, quizzes passed, a certificate claimed), then runs every action
of the mix AT THE SAME TIME for `--duration` seconds, `--runs` times, offered at
`--rate` requests/s in all:

- one wrk process per action (wrk's Lua keeps each action's own latency histogram
  and counts its statuses): anonymous reading (visits replayed as a browser makes
  them: the home page without a cookie, then the course page and every chapter
  with the cookie the site set),
  logged-in reading (chapter pages), quiz submissions (right and wrong answers;
  a right one completes the chapter), certificate claims (each one issues a
  certificate, then its first download renders and signs it), downloads of
  certificates issued before, verification page views;
- Python threads for sign-ups (form, then POST: Argon2id as configured in
  courseware/passwords.py, a mail queued) and a "mailbox" thread that opens each confirmation link it finds
  in the instance's mail folder, as a learner reading their mail would.

It prints, per action, the median over the runs of requests/s, p95 and p99, the
errors (any unexpected status or socket error), the total mixed requests/s with the
p95 and p99 of all requests together (each action's latency distribution weighted by
its number of requests: the goal's figure), and where the two cores went: the app
server, the database backends of this benchmark (PostgreSQL), the load generators,
and what was left idle.
"""

from __future__ import annotations

import argparse
import gzip
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from email import message_from_bytes, policy
from pathlib import Path
from urllib.parse import quote, urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent))

import requests  # noqa: E402
from chapter_page import (  # noqa: E402
    PASSWORD,
    USER_AGENT,
    _stat,
    bare_flask_server,
    choose_content,
    cpu_seconds,
    csrf_token,
    load_average,
    measure,
    print_aligned,
    process_seconds,
    serve_process,
)

from courseware.content import Course, check_library  # noqa: E402
from tests.live_server import CONFIRM_LINK, mailed_path, running_server  # noqa: E402

POSTGRES_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
POSTGRES_BENCH_DB = "bench_launch"
# Every client of this benchmark is 127.0.0.1: on a launch day they come from many
# addresses, so the per-address and per-account limits are lifted for the run.
UNLIMITED = "1000000 per minute"
SERVER_ENV = {name: UNLIMITED for name in (
    "COURSEWARE_LOGIN_RATE_LIMIT", "COURSEWARE_ACCOUNT_LOGIN_RATE_LIMIT",
    "COURSEWARE_CERTIFICATE_RATE_LIMIT", "COURSEWARE_CLAIM_RATE_LIMIT",
    "COURSEWARE_CLAIM_ADDRESS_RATE_LIMIT", "COURSEWARE_QUIZ_RATE_LIMIT")}
READERS, CLAIMERS, HOLDERS = 8, 6, 4
VISITORS = 8  # anonymous visits recorded, each replayed in turn (visitor_journeys)
SIGNUP_THREADS = 2
SIGNUP_SHARE = 0.03  # of the requests: a form, a POST and a confirmation link per sign-up
WARM_UP_SECONDS = 3


# --------------------------------------------------------------------------- learners


@dataclass(frozen=True)
class Learner:
    email: str
    cookie: str  # Cookie header value
    csrf_token: str
    certificate_id: str | None = None


def _session() -> requests.Session:
    http = requests.Session()
    http.headers["User-Agent"] = USER_AGENT  # as wrk sends: the session cookie stays valid
    return http


def visitor_journeys(base_url: str, course: Course, visitors: int = VISITORS
                     ) -> tuple[tuple[str, str, str, str], ...]:
    """Anonymous visits as a browser makes them, recorded once and replayed by wrk.

    Each visit opens the home page without a cookie (a new session), then the
    course page and every chapter in order, sending the cookie the previous
    answer set: the cookie changes as the visitor's session notes each chapter
    opened (visitor_reading.py). wrk replays every request with the cookie it had,
    so each replay costs the server what that step of a new visit costs.
    """
    paths = ["/", f"/courses/{course.slug}/"] + [f"/courses/{course.slug}/{c.slug}/"
                                                  for c in course.chapters]
    entries = []
    for _ in range(visitors):
        http = _session()
        for path in paths:
            cookie = "; ".join(f"{name}={value}" for name, value in http.cookies.items())
            entries.append(("GET", path, cookie, ""))
            http.get(base_url + path, timeout=30).raise_for_status()
    return tuple(entries)


def quiz_form(course: Course, chapter_index: int, right: bool) -> dict[str, list[str]]:
    """The fields of the chapter's first quiz: every right option, or the first wrong one."""
    quiz = course.chapters[chapter_index].quizzes[0]
    fields: dict[str, list[str]] = {}
    for question in quiz.questions:
        if right:
            chosen = sorted(question.right_indexes)
        else:
            chosen = [next(i for i in range(len(question.options)) if i not in question.right_indexes)]
        fields[f"q{question.number}"] = [str(i) for i in chosen]
    return fields


def prepare_learner(base_url: str, instance: Path, course: Course, tag: str, *,
                    pass_quizzes: bool, claim: bool) -> Learner:
    """Sign up through the form, open the mailed link, optionally pass every quiz and claim."""
    http = _session()
    email = f"{tag}@launch.example"
    form = http.get(f"{base_url}/signup", timeout=30)
    form.raise_for_status()
    answer = http.post(f"{base_url}/signup", timeout=60, data={
        "name": f"Apprenante {tag}", "email": email, "password": PASSWORD,
        "csrf_token": csrf_token(form.text), "next": ""})
    answer.raise_for_status()
    http.get(base_url + mailed_path(instance, email, timeout=60), timeout=30).raise_for_status()
    chapters = [f"/courses/{course.slug}/{c.slug}/" for c in course.chapters]
    for path in chapters:  # the first visit writes a "started" row; later reads only read
        http.get(base_url + path, timeout=30).raise_for_status()
    token = csrf_token(http.get(base_url + chapters[0], timeout=30).text)
    if pass_quizzes:
        for index, path in enumerate(chapters):
            http.post(f"{base_url}{path}quiz/1", timeout=30,
                      data={**quiz_form(course, index, right=True), "csrf_token": token}
                      ).raise_for_status()
    certificate_id = None
    if claim:
        claimed = http.post(f"{base_url}/courses/{course.slug}/certificate", timeout=60,
                            data={"name": f"Apprenante {tag}", "confirm": "y", "csrf_token": token})
        claimed.raise_for_status()
        match = re.search(r"/certificates/([\w-]+)$", claimed.url)
        if match is None:
            raise RuntimeError(f"claim for {email} ended on {claimed.url}")
        certificate_id = match.group(1)
    cookie = "; ".join(f"{name}={value}" for name, value in http.cookies.items())
    return Learner(email, cookie, token, certificate_id)


# --------------------------------------------------------------------------- wrk actions

_LUA = """\
-- Generated by benchmarks/launch_day.py: one action of the launch-day mix.
local entries = {
%(entries)s
}
local counter = 0
local follow_pdf = %(follow_pdf)s
local pending = {}  -- certificate PDFs to download, from the claims' redirects
statuses = {}

function init(args)
  math.randomseed(os.time())
  counter = math.random(#entries)
end

function request()
  if #pending > 0 then
    -- The claimant downloads the new certificate: its first download renders and signs it.
    return wrk.format("GET", table.remove(pending, 1), {["User-Agent"] = "%(agent)s"}, nil)
  end
  counter = counter %% #entries + 1
  local entry = entries[counter]
  local headers = {["User-Agent"] = "%(agent)s"}
  if entry[3] ~= "" then headers["Cookie"] = entry[3] end
  if entry[1] == "POST" then headers["Content-Type"] = "application/x-www-form-urlencoded" end
  return wrk.format(entry[1], entry[2], headers, entry[4] ~= "" and entry[4] or nil)
end

-- Open-loop pacing: requests start on a fixed schedule of %(interval_ms).3f ms (the action's
-- share of --rate), as a launch's visitors arrive, whatever the server's latency; a slow
-- answer does not lower the load offered. wrk calls delay() before each request of any
-- connection: each call takes the next slot. A slot missed because every connection was
-- still waiting for an answer is counted as a late start (the server fell behind) and the
-- schedule restarts from now (no burst to catch up). LuaJIT's ffi gives the wall clock.
local ffi = require("ffi")
ffi.cdef[[
typedef struct { long tv_sec; long tv_usec; } launch_timeval;
int gettimeofday(launch_timeval *tv, void *tz);
]]
local clock = ffi.new("launch_timeval")
local function now_ms()
  ffi.C.gettimeofday(clock, nil)
  return tonumber(clock.tv_sec) * 1000 + tonumber(clock.tv_usec) / 1000
end
local interval = %(interval_ms).6f
local next_slot = 0
late = 0

function delay()
  if interval == 0 then return 0 end
  local now = now_ms()
  if next_slot < now then
    if next_slot > 0 and now - next_slot > 10 then late = late + 1 end
    next_slot = now
  end
  local wait = next_slot - now
  next_slot = next_slot + interval
  return math.floor(wait)
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
  if follow_pdf and status == 302 and headers["Location"] then
    table.insert(pending, (headers["Location"]:gsub("^https?://[^/]+", "")) .. ".pdf")
  end
end

function done(summary, latency, requests)
  io.write(string.format("requests %%d\\n", summary.requests))
  io.write(string.format("duration_us %%d\\n", summary.duration))
  for _, p in ipairs({50, 95, 99}) do
    io.write(string.format("p%%d_us %%d\\n", p, latency:percentile(p)))
  end
  -- The whole distribution, in 1000 steps, for the p95 of every action together.
  for permille = 1, 1000 do
    io.write(string.format("q %%d\\n", latency:percentile(permille / 10)))
  end
  local e = summary.errors
  io.write(string.format("socket_errors %%d\\n", e.connect + e.read + e.write + e.timeout))
end
"""
def _lua_string(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


@dataclass(frozen=True)
class Action:
    name: str
    share: float  # of the offered requests per second
    connections: int
    expected: tuple[int, ...]  # the statuses an answer may have
    entries: tuple[tuple[str, str, str, str], ...]  # (method, path, cookie, body)
    rate: float = 0.0  # offered requests/s, set by offered()
    follow_pdf: bool = False  # download the certificate a claim redirects to

    def interval_ms(self) -> float:
        """The time between two request starts that offers `rate` (0: as fast as answered)."""
        return 1000 / self.rate if self.rate else 0.0

    def script(self, folder: Path) -> Path:
        lines = ",\n".join("  {" + ", ".join(_lua_string(part) for part in entry) + "}"
                           for entry in self.entries)
        path = folder / (re.sub(r"\W+", "-", self.name) + ".lua")
        path.write_text(_LUA % {"entries": lines, "agent": USER_AGENT, "interval_ms": self.interval_ms(),
                                "follow_pdf": "true" if self.follow_pdf else "false"}
                        + _STATUS_HOOK)
        return path


# wrk calls done() in the main Lua state; with -t1, thread:get reads the one thread's table.
_STATUS_HOOK = """
local threads = {}
function setup(thread) table.insert(threads, thread) end
local base_done = done
function done(summary, latency, requests)
  base_done(summary, latency, requests)
  for _, thread in ipairs(threads) do
    for status, count in pairs(thread:get("statuses")) do
      io.write(string.format("status %d: %d\\n", status, count))
    end
    io.write(string.format("late %d\\n", thread:get("late")))
  end
end
"""


def build_actions(course: Course, readers: list[Learner], claimers: list[Learner],
                  holders: list[Learner], visits: tuple[tuple[str, str, str, str], ...]
                  ) -> list[Action]:
    chapters = [f"/courses/{course.slug}/{c.slug}/" for c in course.chapters]
    reading = [("GET", path, learner.cookie, "") for path in chapters for learner in readers]
    quizzes = []
    for index, path in enumerate(chapters):
        for right in (True, False):
            for learner in readers:  # consecutive requests go to different learners
                body = urlencode({**quiz_form(course, index, right), "csrf_token": learner.csrf_token},
                                 doseq=True)
                quizzes.append(("POST", f"{path}quiz/1", learner.cookie, body))
    claims = []
    for name in ("Apprenante Lancement", "Apprenante Lancement-Jour"):  # each claim issues anew
        for learner in claimers:
            body = f"name={quote(name)}&confirm=y&csrf_token={quote(learner.csrf_token, safe='')}"
            claims.append(("POST", f"/courses/{course.slug}/certificate", learner.cookie, body))
    pdfs = [("GET", f"/certificates/{h.certificate_id}.pdf", "", "") for h in holders]
    verifications = [("GET", f"/certificates/{h.certificate_id}", "", "") for h in holders]
    # Shares of a launch day's requests (sign-ups take the rest, SIGNUP_SHARE): mostly
    # reading, one answer to a quiz per dozen page views, a claim per hundred and fifty.
    return [
        # Connections: enough for each action's share to start on time with answers of up
        # to ~150 ms (rate x latency); more only queue in the server's backlog.
        Action("anonymous reading", 0.45, 40, (200,), visits),
        Action("logged-in reading", 0.37, 36, (200,), tuple(reading)),
        Action("quiz submission", 0.07, 10, (303,), tuple(quizzes)),
        # A claim (302) then the download of that new certificate (200): half each.
        Action("claim + new PDF", 0.012, 3, (302, 200), tuple(claims), follow_pdf=True),
        Action("certificate PDF", 0.018, 3, (200,), tuple(pdfs)),
        Action("verification page", 0.05, 6, (200,), tuple(verifications)),
    ]


def offered(actions: list[Action], rate: float) -> list[Action]:
    """The actions with their share of `rate` requests/s."""
    return [replace(action, rate=rate * action.share) for action in actions]


@dataclass
class Measured:
    action: str
    requests: int
    seconds: float
    p95_ms: float
    p99_ms: float
    errors: int
    statuses: dict[int, int] = field(default_factory=dict)
    late: int = 0  # requests that started over 10 ms behind schedule (every connection busy)
    # Latencies (ms) that each stand for an equal share of the requests: wrk's 1000
    # quantiles, or every timing of the sign-up threads.
    distribution: tuple[float, ...] = ()

    @property
    def per_second(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


def parse_action(action: Action, output: str) -> Measured:
    values = dict(re.findall(r"^(\w+) (\d+)$", output, re.MULTILINE))
    statuses = {int(s): int(c) for s, c in re.findall(r"^status (\d+): (\d+)$", output, re.MULTILINE)}
    unexpected = sum(count for status, count in statuses.items() if status not in action.expected)
    return Measured(action.name, int(values["requests"]), int(values["duration_us"]) / 1e6,
                    int(values["p95_us"]) / 1000, int(values["p99_us"]) / 1000,
                    unexpected + int(values["socket_errors"]), statuses, int(values.get("late", 0)),
                    tuple(int(us) / 1000 for us in re.findall(r"^q (\d+)$", output, re.MULTILINE)))


def mixed_percentile(measured: list[Measured], fraction: float) -> float:
    """The latency under which `fraction` of all the run's requests were answered, every
    action together: each action's distribution weighted by its number of requests."""
    points = sorted((latency, m.requests / len(m.distribution))
                    for m in measured if m.distribution for latency in m.distribution)
    total = sum(weight for _, weight in points)
    reached = 0.0
    for latency, weight in points:
        reached += weight
        if reached >= fraction * total:
            return latency
    return points[-1][0] if points else 0.0


def start_wrk(action: Action, url: str, duration: int, folder: Path) -> subprocess.Popen:
    command = ["wrk", "-t1", f"-c{action.connections}", f"-d{duration}s", "--timeout", "5s",
               "-s", str(action.script(folder)), url]
    return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


# --------------------------------------------------------------------------- sign-ups


class SignupTraffic:
    """Sign-up threads and a mailbox thread that opens each confirmation link it finds."""

    def __init__(self, base_url: str, instance: Path, seconds: float, rate: float) -> None:
        self.base_url, self.mail = base_url, instance / "mail"
        # Three requests per sign-up; each thread waits between two sign-ups.
        self.pause = SIGNUP_THREADS * 3 / rate if rate else 0.0
        self.deadline = time.monotonic() + seconds
        self.timings: dict[str, list[float]] = {"sign-up form": [], "sign-up (Argon2)": [],
                                                "confirmation link": []}
        self.errors = dict.fromkeys(self.timings, 0)
        self.lock = threading.Lock()
        self.seen = {path.name for path in self.mail.glob("*.eml")}
        self.started = time.monotonic()
        self.threads = [threading.Thread(target=self._sign_up_loop, daemon=True)
                        for _ in range(SIGNUP_THREADS)]
        self.threads.append(threading.Thread(target=self._mailbox_loop, daemon=True))

    def __enter__(self) -> SignupTraffic:
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.deadline = 0
        for thread in self.threads:
            thread.join(timeout=30)
        self.seconds = time.monotonic() - self.started

    def _timed(self, action: str, expected: int, method: str, path: str, http: requests.Session,
               **options: object) -> requests.Response | None:
        started = time.perf_counter()
        try:
            response = http.request(method, self.base_url + path, timeout=10,
                                    allow_redirects=False, **options)
        except requests.RequestException:
            response = None
        elapsed = time.perf_counter() - started
        with self.lock:
            self.timings[action].append(elapsed)
            if response is None or response.status_code != expected:
                self.errors[action] += 1
        return response

    def _sign_up_loop(self) -> None:
        while time.monotonic() < self.deadline:
            http = _session()
            form = self._timed("sign-up form", 200, "GET", "/signup", http)
            if form is None or form.status_code != 200:
                continue
            data = {"name": "Nouvelle Apprenante", "email": f"s-{uuid.uuid4().hex[:12]}@launch.example",
                    "password": PASSWORD, "csrf_token": csrf_token(form.text), "next": ""}
            self._timed("sign-up (Argon2)", 302, "POST", "/signup", http, data=data)
            http.close()
            time.sleep(self.pause)

    def _mailbox_loop(self) -> None:
        http = _session()
        while time.monotonic() < self.deadline:
            for path in sorted(self.mail.glob("*.eml")):
                if path.name in self.seen:
                    continue
                self.seen.add(path.name)
                body = message_from_bytes(path.read_bytes(), policy=policy.default).get_body()
                match = re.search(CONFIRM_LINK, body.get_content())
                if match:
                    http.cookies.clear()
                    self._timed("confirmation link", 302, "GET", match.group(0), http)
            time.sleep(0.2)
        http.close()

    def results(self) -> list[Measured]:
        measured = []
        for action, timings in self.timings.items():
            ordered = sorted(timings) or [0.0]
            measured.append(Measured(
                action, len(timings), self.seconds,
                statistics.quantiles(ordered, n=100)[94] * 1000 if len(ordered) > 1 else ordered[0] * 1000,
                statistics.quantiles(ordered, n=100)[98] * 1000 if len(ordered) > 1 else ordered[0] * 1000,
                self.errors[action], distribution=tuple(t * 1000 for t in ordered)))
        return measured


# --------------------------------------------------------------------------- CPU


def machine_cpu() -> tuple[float, float]:
    """(busy, idle) seconds of all CPUs since boot, from /proc/stat."""
    fields = [int(value) for value in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = fields[3] + fields[4]  # idle + iowait
    return (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK"), idle / os.sysconf("SC_CLK_TCK")


def database_backends_cpu(database: str) -> dict[int, float]:
    """CPU seconds of each PostgreSQL backend connected to `database` (by its process title)."""
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            title = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if title.startswith("postgres: ") and f" {database} " in title:
            fields = _stat(int(entry.name))
            if fields:
                found[int(entry.name)] = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return found


@dataclass
class CpuShares:
    """Percentages of both cores over one run, and the CPU seconds behind them."""
    server: float
    database: float
    load: float
    idle: float
    other: float
    server_seconds: float = 0.0
    database_seconds: float = 0.0
    # The busiest server process, in % of ONE core: near 100 % while cores stay idle means
    # a worker is the bottleneck (one GIL per process), not the machine.
    busiest_worker: float = 0.0


@contextmanager
def cpu_accounting(server_pid: int, database: str | None, out: list[CpuShares]) -> Iterator[None]:
    busy0, idle0 = machine_cpu()
    server0 = cpu_seconds(server_pid)
    workers0, started = process_seconds(server_pid), time.monotonic()
    db0 = database_backends_cpu(database) if database else {}
    load0 = os.times()
    yield
    busy1, idle1 = machine_cpu()
    server = cpu_seconds(server_pid) - server0
    elapsed = time.monotonic() - started
    busiest = max((seconds - workers0.get(pid, 0.0)
                   for pid, seconds in process_seconds(server_pid).items()), default=0.0)
    db1 = database_backends_cpu(database) if database else {}
    db = sum(seconds - db0.get(pid, 0.0) for pid, seconds in db1.items())
    load1 = os.times()
    # wrk children have been waited for: their CPU is in the children_* fields.
    load = (load1.user + load1.system + load1.children_user + load1.children_system
            - load0.user - load0.system - load0.children_user - load0.children_system)
    total = (busy1 - busy0) + (idle1 - idle0)
    shares = [100 * value / total for value in (server, db, load, idle1 - idle0)]
    out.append(CpuShares(*shares, other=100 - sum(shares), server_seconds=server,
                         database_seconds=db, busiest_worker=100 * busiest / elapsed))


# --------------------------------------------------------------------------- one backend


def bare_flask_cpu_ms(workdir: Path, chapter_page: bytes) -> float:
    """CPU per request of a bare Flask app returning a chapter page's bytes (median of 3).

    The machine's speed in the same run: the host of this shared machine changes from
    one day to the next (a bare request cost 0.27 ms on 2026-12-04, 0.50-0.54 ms on
    2026-12-06), and the app's CPU per mixed request is compared in these units.
    """
    folder = workdir / "bare"
    folder.mkdir(exist_ok=True)
    figures = []
    with bare_flask_server(folder, chapter_page, gzip.compress(chapter_page)) as (url, pid):
        for _ in range(3):
            result, _output = measure("bare Flask", pid, url, duration=3, connections=64)
            figures.append(result.cpu_ms)
    return statistics.median(figures)


def fresh_postgres_database(name: str) -> str:
    import psycopg

    with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True) as connection:
        connection.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        connection.execute(f"CREATE DATABASE {name}")
    return f"postgresql://postgres@127.0.0.1:5432/{name}"


def one_run(server_url: str, instance: Path, actions: list[Action], duration: int,
            workdir: Path, rate: float) -> list[Measured]:
    processes = [(action, start_wrk(action, server_url + "/", duration, workdir)) for action in actions]
    with SignupTraffic(server_url, instance, duration, rate * SIGNUP_SHARE) as signups:
        outputs = [(action, process.communicate(timeout=duration + 60)) for action, process in processes]
    results = []
    for action, (stdout, stderr) in outputs:
        if "requests" not in stdout:
            raise RuntimeError(f"wrk for {action.name} failed: {stderr}{stdout}")
        results.append(parse_action(action, stdout))
    return results + signups.results()


def cost_per_action(server_pid: int, server_url: str, instance: Path, actions: list[Action],
                    workdir: Path, seconds: int = 5) -> dict[str, float]:
    """The app server's CPU ms per request of each action run alone, unpaced."""
    costs = {}
    for action in actions:
        before = cpu_seconds(server_pid)
        process = start_wrk(replace(action, rate=0), server_url + "/", seconds, workdir)
        stdout, stderr = process.communicate(timeout=seconds + 60)
        measured = parse_action(action, stdout)
        costs[action.name] = 1000 * (cpu_seconds(server_pid) - before) / max(1, measured.requests)
    before = cpu_seconds(server_pid)
    with SignupTraffic(server_url, instance, seconds, rate=0) as signups:
        pass
    sign_ups = sum(len(t) for t in signups.timings.values())
    costs["sign-up (form, POST, link)"] = 1000 * (cpu_seconds(server_pid) - before) / max(1, sign_ups)
    return costs


def bench_backend(backend: str, content_dir: Path, workdir: Path, args: argparse.Namespace
                  ) -> tuple[list[list[Measured]], list[CpuShares], list[str], dict[str, float], float]:
    instance = workdir / backend / "instance"
    instance.mkdir(parents=True)
    database = None if backend == "sqlite" else args.pg_database
    database_url = (f"sqlite:///{instance / 'courseware.db'}" if database is None
                    else fresh_postgres_database(database))
    course = check_library(content_dir)[0][0]
    print(f"\n[{backend}] starting courseware serve --workers {args.workers} ({database_url})",
          flush=True)
    runs: list[list[Measured]] = []
    cpu: list[CpuShares] = []
    loads: list[str] = []
    with running_server(content_dir=content_dir, instance_dir=instance, database_url=database_url,
                        workers=args.workers, extra_env=SERVER_ENV) as server:
        server_pid = serve_process(int(server.url.rsplit(":", 1)[1]))
        started = time.monotonic()
        with ThreadPoolExecutor(max_workers=4) as pool:
            def prepare(kind: str, count: int, **options: bool) -> list[Learner]:
                return list(pool.map(lambda i: prepare_learner(
                    server.url, instance, course, f"{kind}{i}", **options), range(count)))
            readers = prepare("reader", READERS, pass_quizzes=False, claim=False)
            claimers = prepare("claimer", CLAIMERS, pass_quizzes=True, claim=True)
            holders = prepare("holder", HOLDERS, pass_quizzes=True, claim=True)
        print(f"[{backend}] {READERS + CLAIMERS + HOLDERS} learners prepared through the forms "
              f"in {time.monotonic() - started:.0f} s", flush=True)
        visits = visitor_journeys(server.url, course)
        middle = course.chapters[min(1, len(course.chapters) - 1)]  # as chapter_page.py measures
        chapter = requests.get(f"{server.url}/courses/{course.slug}/{middle.slug}/", timeout=30).content
        reference_ms = bare_flask_cpu_ms(workdir, chapter)
        actions = offered(build_actions(course, readers, claimers, holders, visits), args.rate)
        # Fills the per-process caches (rendered pages, certificate PDFs).
        one_run(server.url, instance, actions, WARM_UP_SECONDS, workdir, args.rate)
        for number in range(args.runs):
            loads.append(load_average())
            with cpu_accounting(server_pid, database, cpu):
                runs.append(one_run(server.url, instance, actions, args.duration, workdir, args.rate))
            total = sum(m.per_second for m in runs[-1])
            errors = sum(m.errors for m in runs[-1])
            print(f"[{backend}] run {number + 1}/{args.runs}: {total:.0f} req/s mixed, {errors} errors, "
                  f"CPU idle {cpu[-1].idle:.0f}%, load {loads[-1]}", flush=True)
        costs = (cost_per_action(server_pid, server.url, instance, actions, workdir)
                 if args.cost else {})
    return runs, cpu, loads, costs, reference_ms


# --------------------------------------------------------------------------- report


def median_table(backend: str, runs: list[list[Measured]]) -> list[tuple[str, ...]]:
    rows = []
    for index, first in enumerate(runs[0]):
        per_run = [run[index] for run in runs]
        rows.append((backend, first.action,
                     f"{statistics.median(m.per_second for m in per_run):.1f}",
                     f"{statistics.median(m.p95_ms for m in per_run):.0f}",
                     f"{statistics.median(m.p99_ms for m in per_run):.0f}",
                     str(sum(m.errors for m in per_run)),
                     str(sum(m.late for m in per_run))))
    totals = [sum(m.per_second for m in run) for run in runs]
    rows.append((backend, "ALL (mixed)", f"{statistics.median(totals):.0f}",
                 f"{statistics.median(mixed_percentile(run, 0.95) for run in runs):.0f}",
                 f"{statistics.median(mixed_percentile(run, 0.99) for run in runs):.0f}",
                 str(sum(m.errors for run in runs for m in run)),
                 str(sum(m.late for run in runs for m in run))))
    return rows


def print_rows(rows: list[tuple[str, ...]]) -> None:
    print_aligned([("backend", "action", "req/s", "p95 ms", "p99 ms", "errors", "late starts"),
                   *rows])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=30, help="seconds per run (default 30)")
    parser.add_argument("--runs", type=int, default=3, help="runs per backend; medians are reported")
    parser.add_argument("--workers", type=int, default=2,
                        help="courseware serve --workers (default 2, as the embedded default)")
    parser.add_argument("--rate", type=float, default=650,
                        help="requests/s offered, shared between the actions (default 650); "
                             "0: every connection as fast as the server answers")
    parser.add_argument("--backend", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--pg-database", default=POSTGRES_BENCH_DB,
                        help=f"PostgreSQL database to DROP and recreate (default {POSTGRES_BENCH_DB})")
    parser.add_argument("--cost", action="store_true",
                        help="then run each action alone for 5 s: the app's CPU per request of each")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder (logs)")
    args = parser.parse_args()
    if not 5 <= args.duration <= 120:
        parser.error("--duration must be between 5 and 120 seconds (the machine is shared)")
    if args.workers < 1:
        parser.error("--workers must be at least 1")
    if not 0 <= args.rate <= 10000:
        parser.error("--rate must be between 0 and 10000")
    if not 1 <= args.runs <= 9:
        parser.error("--runs must be between 1 and 9")
    if not re.fullmatch(r"[a-z_][a-z0-9_]{0,62}", args.pg_database):
        parser.error("--pg-database: lower-case letters, digits and underscores")
    if shutil.which("wrk") is None:
        parser.error("wrk is not installed (apt-get install wrk)")
    workdir = Path(tempfile.mkdtemp(prefix="courseware-launch-"))
    backends = ["sqlite", "postgresql"] if args.backend == "both" else [args.backend]
    rows: list[tuple[str, ...]] = []
    summaries = []
    try:
        content_dir, content_note = choose_content(workdir)
        for backend in backends:
            runs, cpu, loads, costs, reference_ms = bench_backend(backend, content_dir, workdir, args)
            rows += median_table(backend, runs)
            summaries.append((backend, cpu, loads, runs, costs, reference_ms))
    except BaseException:
        print(f"\nbenchmark failed; logs kept in {workdir}", file=sys.stderr)
        raise
    print(f"\ncontent: {content_note}")
    offer = f"{args.rate:.0f} req/s offered" if args.rate else "unpaced (as fast as answered)"
    print(f"{args.runs} runs of {args.duration} s per backend, every action at once, {offer}; "
          f"{os.cpu_count()} CPUs; medians over the runs, errors summed")
    print_rows(rows)
    print()
    for backend, cpu, loads, runs, costs, reference_ms in summaries:
        if costs:
            print(f"{backend}: app CPU ms per request, each action alone: "
                  + ", ".join(f"{name} {ms:.2f}" for name, ms in costs.items()))
        def med(attribute: str, shares: list[CpuShares] = cpu) -> float:
            return statistics.median(getattr(share, attribute) for share in shares)
        print(f"{backend}: CPU of both cores (median): app server {med('server'):.0f}%, "
              f"database backends {med('database'):.0f}%, load generators {med('load'):.0f}%, "
              f"other processes {med('other'):.0f}%, idle {med('idle'):.0f}%; busiest server "
              f"process {med('busiest_worker'):.0f}% of one core; "
              f"load average before each run: {' | '.join(loads)}")
        # CPU per request hardly depends on the other load on the machine: the steady figure.
        counts = [sum(m.requests for m in run) for run in runs]
        app_ms = statistics.median(1000 * c.server_seconds / n for c, n in zip(cpu, counts, strict=True))
        db_ms = statistics.median(1000 * c.database_seconds / n for c, n in zip(cpu, counts, strict=True))
        print(f"{backend}: CPU per mixed request: app server {app_ms:.2f} ms, database backends "
              f"{db_ms:.2f} ms: two cores of their own would serve about "
              f"{2000 / (app_ms + db_ms):.0f} req/s of this mix at full use; this machine's speed "
              f"in this run: a bare Flask request (same gunicorn, the chapter page's bytes) "
              f"{reference_ms:.2f} ms, so a mixed request costs {app_ms / reference_ms:.1f} of those")
        bad = {m.action: m.statuses for run in runs for m in run if m.errors and m.statuses}
        if bad:
            print(f"{backend}: unexpected statuses: {bad}")
        totals = [sum(m.per_second for m in run) for run in runs]
        p95s = {runs[0][i].action: statistics.median(run[i].p95_ms for run in runs)
                for i in range(len(runs[0]))}
        worst = max(p95s, key=p95s.__getitem__)
        mixed_p95 = statistics.median(mixed_percentile(run, 0.95) for run in runs)
        errors = sum(m.errors for run in runs for m in run)
        met = statistics.median(totals) >= 600 and mixed_p95 < 200 and errors == 0
        print(f"{backend}: {statistics.median(totals):.0f} mixed req/s, p95 of all requests "
              f"{mixed_p95:.0f} ms, {errors} errors: {'meets' if met else 'MISSES'} the goal "
              f"(>= 600 req/s, p95 < 200 ms, no error); every action's own p95 under 200 ms: "
              f"{'yes' if p95s[worst] < 200 else 'no'} (slowest: {worst}, {p95s[worst]:.0f} ms)")
    if args.keep:
        print(f"logs: {workdir}")
    else:
        shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
