"""Chapter page and "mark as complete" under concurrent load, against a bare Flask baseline.

    .venv/bin/python benchmarks/chapter_page.py [--duration 10] [--connections 64]
                                                [--backend sqlite|postgresql|both]

For each database backend it starts `courseware serve --workers 2` (through
tests/live_server.py) on 127.0.0.1, signs up a few learners, then runs wrk:

1. bare Flask: a Flask app returning the chapter page's very bytes (and its gzip
   body to clients that accept gzip), under the same gunicorn configuration
   (benchmarks/bare_flask_app.py);
2. chapter page: GET of one chapter by a logged-in learner (read-only once opened),
   without Accept-Encoding and then with `Accept-Encoding: gzip, deflate, br`;
3. mark as complete: POSTs with each learner's session cookie and CSRF token,
   spread over every learner x chapter pair (so no single-row hotspot).

It prints requests/s, p50/p99 latency, errors and the ratio to the baseline
(each chapter run against the bare app sending the same bytes).
Everything runs on loopback, for a bounded time, in a temporary folder.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

import requests  # noqa: E402

from courseware.content import check_library  # noqa: E402
from tests.live_server import free_port, mailed_path, running_server, serving_process  # noqa: E402

DEMO_CONTENT = REPO / "content"
BARE_APP = Path(__file__).resolve().parent / "bare_flask_app.py"
POSTGRES_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
POSTGRES_BENCH_DB = "bench"
# Flask-Login's "basic" session protection compares a hash of the client address
# and User-Agent with the one stored at log-in: wrk must send the same agent,
# or every request would rewrite the session cookie.
USER_AGENT = "courseware-benchmark"
LEARNERS = 8
PASSWORD = "benchmark-password-123"
WARM_UP_SECONDS = 2
CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


# --------------------------------------------------------------------------- results


@dataclass
class Result:
    scenario: str
    requests_per_s: float
    p50_ms: float
    p99_ms: float
    requests: int
    bytes_per_response: int
    http_errors: int  # responses that are not what the scenario expects
    socket_errors: dict[str, int] = field(default_factory=dict)
    cpu_ms: float | None = None  # server CPU (master + workers) per request
    notes: list[str] = field(default_factory=list)

    @property
    def errors(self) -> int:
        return self.http_errors + sum(self.socket_errors.values())


def parse_wrk(scenario: str, output: str) -> Result:
    """Requests/s, latency percentiles and error counts from `wrk --latency` output."""

    def number(pattern: str, default: float | None = None) -> float:
        match = re.search(pattern, output)
        if match is None:
            if default is None:
                raise ValueError(f"wrk output has no {pattern!r}:\n{output}")
            return default
        return float(match.group(1))

    def percentile(label: str) -> float:
        match = re.search(rf"^\s*{label}%\s+([\d.]+)(us|ms|s)\s*$", output, re.MULTILINE)
        if match is None:
            raise ValueError(f"wrk output has no {label}% latency:\n{output}")
        value, unit = float(match.group(1)), match.group(2)
        return value * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]

    total = re.search(r"(\d+) requests in [\d.]+\w+, ([\d.]+)(B|KB|MB|GB|TB) read", output)
    if total is None:
        raise ValueError(f"wrk output has no request count:\n{output}")
    count = int(total.group(1))
    scale = {"B": 1, "KB": 1024, "MB": 1024**2, "GB": 1024**3, "TB": 1024**4}[total.group(3)]
    read = float(total.group(2)) * scale
    sockets = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    socket_errors = {}
    if sockets:
        socket_errors = {name: int(value) for name, value in
                         zip(("connect", "read", "write", "timeout"), sockets.groups(), strict=True)
                         if int(value)}
    return Result(
        scenario=scenario,
        requests_per_s=number(r"Requests/sec:\s+([\d.]+)"),
        p50_ms=percentile("50"),
        p99_ms=percentile("99"),
        requests=count,
        bytes_per_response=round(read / count) if count else 0,
        http_errors=int(number(r"Non-2xx or 3xx responses:\s+(\d+)", 0)),
        socket_errors=socket_errors,
    )


def run_wrk(url: str, *, duration: int, connections: int, headers: dict[str, str] | None = None,
            script: Path | None = None) -> str:
    threads = min(2, connections)
    command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{duration}s", "--latency",
               "--timeout", "5s"]
    for name, value in (headers or {}).items():
        command += ["-H", f"{name}: {value}"]
    if script is not None:
        command += ["-s", str(script)]
    command.append(url)
    completed = subprocess.run(command, capture_output=True, text=True, timeout=duration + 60,
                               check=False)
    if completed.returncode != 0:
        raise RuntimeError(f"wrk failed ({completed.returncode}): {completed.stderr}{completed.stdout}")
    return completed.stdout


# --------------------------------------------------------------------------- server CPU
# Throughput on a shared machine moves with whatever else runs; the CPU time the
# server processes spend per request does not, so it is reported too.


def _stat(pid: int) -> list[str] | None:
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return text[text.rindex(")") + 2:].split()  # fields from "state" on


def _process_tree(root: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and (fields := _stat(int(entry.name))) is not None:
            children.setdefault(int(fields[1]), []).append(int(entry.name))
    tree, todo = [], [root]
    while todo:
        pid = todo.pop()
        tree.append(pid)
        todo.extend(children.get(pid, []))
    return tree


def process_seconds(root: int) -> dict[int, float]:
    """User + system CPU seconds of each process of the tree under `root` still alive."""
    found = {}
    for pid in _process_tree(root):
        if (fields := _stat(pid)) is not None:
            found[pid] = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime, stime
    return found


def cpu_seconds(root: int) -> float:
    """User + system CPU time of a process and all its descendants still alive."""
    return sum(process_seconds(root).values())


def serve_process(port: int) -> int:
    """The `courseware serve` master that running_server started on `port`."""
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            argv = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        fields = _stat(int(entry.name))
        if (fields and int(fields[1]) == os.getpid() and b"serve" in argv
                and str(port).encode() in argv):
            return int(entry.name)
    raise RuntimeError(f"no courseware serve process on port {port}")


def measure(scenario: str, root_pid: int, url: str, **wrk_options: object) -> tuple[Result, str]:
    """Run wrk once; the result carries the server's CPU time per request."""
    before = cpu_seconds(root_pid)
    output = run_wrk(url, **wrk_options)  # type: ignore[arg-type]
    result = parse_wrk(scenario, output)
    if result.requests:
        result.cpu_ms = (cpu_seconds(root_pid) - before) * 1000 / result.requests
    return result, output


# --------------------------------------------------------------------------- content


def generated_course(folder: Path, chapters: int = 7, chapter_html_kb: int = 40) -> Path:
    """A French-looking course whose chapters render to about `chapter_html_kb` KB of HTML."""
    course = folder / "cours-de-test"
    course.mkdir(parents=True)
    (course / "course.yaml").write_text(
        'slug: cours-de-test\ntitle: "Cours de test pour la mesure de performance"\n'
        "language: fr\nsummary: \"Un cours généré, de la taille du cours de démonstration.\"\n"
        'issuer: "Courseware — banc d\'essai"\n', encoding="utf-8")
    paragraph = (
        "L'intelligence artificielle désigne des systèmes capables de réaliser des tâches qui, "
        "chez un être humain, demanderaient de l'intelligence : reconnaître une image, "
        "comprendre une question, **traduire un texte**, recommander un contenu ou *prendre "
        "une décision*. Ces systèmes apprennent à partir d'exemples plutôt que de suivre des "
        "règles écrites à l'avance, ce qui les rend puissants mais aussi parfois imprévisibles."
    )
    for number in range(1, chapters + 1):
        parts = [f"---\ntitle: \"Chapitre {number} : un chapitre généré\"\nminutes: 25\n---\n"]
        size = 0
        section = 0
        while size < chapter_html_kb * 1024:
            section += 1
            parts.append(f"\n## Section {section} du chapitre {number}\n")
            for _ in range(4):
                parts.append(f"\n{paragraph}\n")
            parts.append("\n- Premier point à retenir, avec un peu de texte.\n"
                         "- Deuxième point à retenir, avec un peu plus de texte.\n"
                         "- Troisième point, pour faire bonne mesure.\n")
            size += 4 * (len(paragraph.encode()) + 40) + 200
        (course / f"{number:02d}-chapitre-{number}.md").write_text("".join(parts), encoding="utf-8")
    return folder


def choose_content(workdir: Path, force_generated: bool = False) -> tuple[Path, str]:
    """The demo course if it loads cleanly, else a generated course of similar size."""
    if force_generated:
        return generated_course(workdir / "content"), "GENERATED course (--generated-content)"
    courses, problems = check_library(DEMO_CONTENT)
    if courses and not problems:
        return DEMO_CONTENT, f"demo content in {DEMO_CONTENT}"
    first = str(problems[0]) if problems else "no course found"
    content = generated_course(workdir / "content")
    return content, (f"GENERATED course (the demo content in {DEMO_CONTENT} does not load: "
                     f"{len(problems)} problem(s), first: {first})")


# --------------------------------------------------------------------------- servers


@dataclass(frozen=True)
class Learner:
    cookie: str  # the Cookie header value
    csrf_token: str


def csrf_token(html: str) -> str:
    match = CSRF_RE.search(html)
    if match is None:
        raise RuntimeError("no csrf_token field in the page")
    return match.group(1)


def sign_up(base_url: str, instance_dir: Path, index: int, chapter_paths: list[str]) -> Learner:
    """A new learner who has opened every chapter, so later GETs only read."""
    http = requests.Session()
    http.headers["User-Agent"] = USER_AGENT
    page = http.get(f"{base_url}/signup", timeout=10)
    page.raise_for_status()
    response = http.post(f"{base_url}/signup", timeout=30, data={
        "name": f"Apprenant {index}", "email": f"learner{index}@bench.example",
        "password": PASSWORD, "csrf_token": csrf_token(page.text), "next": "",
    })
    if response.status_code != 200 or not response.url.endswith("/signup/sent"):
        raise RuntimeError(f"sign-up failed ({response.status_code}) for learner {index}")
    # The account opens with the link of the confirmation mail.
    confirmed = http.get(base_url + mailed_path(instance_dir, f"learner{index}@bench.example"),
                         timeout=30)
    confirmed.raise_for_status()
    for path in chapter_paths:  # the first visit writes a "started" row
        http.get(base_url + path, timeout=10).raise_for_status()
    page = http.get(base_url + chapter_paths[0], timeout=10)
    # The CSRF token must come after log-in: signing up clears the session.
    token = csrf_token(page.text)
    cookie = "; ".join(f"{name}={value}" for name, value in http.cookies.items())
    return Learner(cookie=cookie, csrf_token=token)


@contextmanager
def bare_flask_server(workdir: Path, page: bytes, gzipped: bytes) -> Iterator[tuple[str, int]]:
    port = free_port()
    url = f"http://127.0.0.1:{port}/"
    (workdir / "page.html").write_bytes(page)
    (workdir / "page.html.gz").write_bytes(gzipped)
    command = [sys.executable, str(BARE_APP), "--port", str(port), "--page", str(workdir / "page.html"),
               "--gzipped", str(workdir / "page.html.gz")]
    with serving_process(command, env=None, ready_url=url, log_path=workdir / f"bare-{port}.log",
                         cwd=REPO) as process:
        yield url, process.pid


def fresh_postgres_database() -> str:
    """Drop and recreate the `bench` database; return its URL."""
    import psycopg

    with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True) as connection:
        connection.execute(f"DROP DATABASE IF EXISTS {POSTGRES_BENCH_DB} WITH (FORCE)")
        connection.execute(f"CREATE DATABASE {POSTGRES_BENCH_DB}")
    return f"postgresql://postgres@127.0.0.1:5432/{POSTGRES_BENCH_DB}"


# --------------------------------------------------------------------------- mark as complete

_COMPLETE_SCRIPT = """\
-- Generated by benchmarks/chapter_page.py: POST "mark as complete" for each
-- learner x chapter pair in turn, and count the response statuses.
local entries = {
%(entries)s
}
local threads = {}
local counter = 0
statuses = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  math.randomseed(os.time() + #threads)
  counter = math.random(#entries)
end

function request()
  counter = counter %% #entries + 1
  local entry = entries[counter]
  return wrk.format("POST", entry[1], {
    ["Cookie"] = entry[2],
    ["User-Agent"] = "%(agent)s",
    ["Content-Type"] = "application/x-www-form-urlencoded",
  }, entry[3])
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
  local total = {}
  for _, thread in ipairs(threads) do
    for status, count in pairs(thread:get("statuses")) do
      total[status] = (total[status] or 0) + count
    end
  end
  for status, count in pairs(total) do
    io.write(string.format("status %%d: %%d\\n", status, count))
  end
end
"""


def _lua_string(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def complete_script(path: Path, learners: list[Learner], complete_paths: list[str]) -> Path:
    entries = []
    for complete_path in complete_paths:
        for learner in learners:  # consecutive requests go to different learners
            body = "csrf_token=" + quote(learner.csrf_token, safe="")
            entries.append(f"  {{{_lua_string(complete_path)}, {_lua_string(learner.cookie)}, "
                           f"{_lua_string(body)}}},")
    path.write_text(_COMPLETE_SCRIPT % {"entries": "\n".join(entries), "agent": USER_AGENT})
    return path


def status_counts(output: str) -> dict[int, int]:
    pairs = re.findall(r"^status (\d+): (\d+)$", output, re.MULTILINE)
    return {int(status): int(count) for status, count in pairs}


# --------------------------------------------------------------------------- one backend


def log_since(log: Path, offset: int) -> str:
    with open(log, "rb") as handle:
        handle.seek(offset)
        return handle.read().decode(errors="replace")


def server_errors(text: str) -> tuple[int, int]:
    """(5xx lines in gunicorn's access log, 'database is locked' mentions)."""
    five_hundreds = len(re.findall(r'" 5\d\d ', text))
    return five_hundreds, text.count("database is locked")


BROWSER_ENCODINGS = "gzip, deflate, br"


def bench_backend(backend: str, content_dir: Path, workdir: Path,
                  args: argparse.Namespace) -> list[tuple[Result, Result]]:
    """(scenario, its bare Flask baseline) pairs for one backend."""
    instance = workdir / backend / "instance"
    instance.mkdir(parents=True)
    database_url = (f"sqlite:///{instance / 'courseware.db'}" if backend == "sqlite"
                    else fresh_postgres_database())
    courses, _problems = check_library(content_dir)
    course = courses[0]
    # A chapter in the middle: the page has both "previous" and "next" links.
    chapter = course.chapters[min(1, len(course.chapters) - 1)]
    chapter_paths = [f"/courses/{course.slug}/{c.slug}/" for c in course.chapters]
    chapter_path = f"/courses/{course.slug}/{chapter.slug}/"
    complete_paths = [path + "complete" for path in chapter_paths]
    results: list[tuple[Result, Result]] = []
    print(f"\n[{backend}] starting courseware serve --workers 2 ({database_url})", flush=True)
    with running_server(content_dir=content_dir, instance_dir=instance, database_url=database_url,
                        workers=2) as server:
        port = int(server.url.rsplit(":", 1)[1])
        log = instance.parent / f"server-{port}.log"
        server_pid = serve_process(port)
        learners = [sign_up(server.url, server.instance_dir, index, chapter_paths)
                    for index in range(LEARNERS)]
        reader = learners[0]
        check = requests.get(server.url + chapter_path, timeout=10,
                             headers={"Cookie": reader.cookie, "User-Agent": USER_AGENT})
        check.raise_for_status()
        if "chapter-progress" not in check.text:
            raise RuntimeError("the chapter page does not show the learner's progress: not logged in?")
        page_size = len(check.content)
        rewrites_cookie = "Set-Cookie" in check.headers
        packed = requests.get(server.url + chapter_path, timeout=10, stream=True, headers={
            "Cookie": reader.cookie, "User-Agent": USER_AGENT, "Accept-Encoding": BROWSER_ENCODINGS})
        gzipped = packed.raw.read()
        if packed.headers.get("Content-Encoding") != "gzip":
            raise RuntimeError("the chapter page is not gzipped for a browser that accepts it")
        print(f"[{backend}] chapter page {chapter_path}: {page_size} bytes, {len(gzipped)} gzipped "
              f"(chapter body {len(chapter.html.encode())} bytes), {LEARNERS} learners signed up", flush=True)

        bares = {}
        with bare_flask_server(workdir, check.content, gzipped) as (bare_url, bare_pid):
            for label, encodings in (("plain", None), ("gzip", BROWSER_ENCODINGS)):
                bare_headers = {"Accept-Encoding": encodings} if encodings else None
                run_wrk(bare_url, duration=WARM_UP_SECONDS, connections=args.connections,
                        headers=bare_headers)
                bares[label], _output = measure(f"bare Flask (same bytes, {label})", bare_pid, bare_url,
                                                duration=args.duration, connections=args.connections,
                                                headers=bare_headers)
                results.append((bares[label], bares[label]))
                print(f"[{backend}] bare Flask, {label}: {bares[label].requests_per_s:.0f} req/s", flush=True)

        for label, encodings, size in (("plain", None, page_size), ("gzip", BROWSER_ENCODINGS, len(gzipped))):
            headers = {"Cookie": reader.cookie, "User-Agent": USER_AGENT}
            if encodings:
                headers["Accept-Encoding"] = encodings
            run_wrk(server.url + chapter_path, duration=WARM_UP_SECONDS, connections=args.connections,
                    headers=headers)
            offset = log.stat().st_size
            page, _output = measure(f"chapter page (GET, logged in, {label})", server_pid,
                                    server.url + chapter_path, duration=args.duration,
                                    connections=args.connections, headers=headers)
            five_hundreds, locked = server_errors(log_since(log, offset))
            if page.bytes_per_response < size * 0.95:
                page.notes.append(f"responses average {page.bytes_per_response} B, expected {size} B")
            if rewrites_cookie:
                page.notes.append("the page sets a cookie on every request")
            if five_hundreds or locked:
                page.notes.append(f"server log: {five_hundreds} 5xx, {locked} 'database is locked'")
            results.append((page, bares[label]))
            print(f"[{backend}] chapter page, {label}: {page.requests_per_s:.0f} req/s", flush=True)

        script = complete_script(workdir / backend / "complete.lua", learners, complete_paths)
        offset = log.stat().st_size
        complete, output = measure(f"mark as complete (POST, {LEARNERS} learners x "
                                   f"{len(complete_paths)} chapters)", server_pid,
                                   server.url + complete_paths[0], duration=args.duration,
                                   connections=args.connections, script=script)
        statuses = status_counts(output)
        complete.http_errors = sum(count for status, count in statuses.items() if not 300 <= status < 400)
        five_hundreds, locked = server_errors(log_since(log, offset))
        complete.notes.append("statuses " + ", ".join(f"{s}: {c}" for s, c in sorted(statuses.items())))
        complete.notes.append(f"server log: {five_hundreds} 5xx, {locked} 'database is locked'")
        results.append((complete, bares["plain"]))
        print(f"[{backend}] mark as complete: {complete.requests_per_s:.0f} req/s", flush=True)
    return results


# --------------------------------------------------------------------------- report


def print_table(rows: list[tuple[str, Result, Result]]) -> None:
    """One line per scenario; the ratios compare with the same backend's bare Flask run."""
    header = ("backend", "scenario", "req/s", "p50 ms", "p99 ms", "errors", "x bare",
              "CPU ms/req", "CPU x bare")
    lines = [header]
    for backend, r, bare in rows:
        cpu_ratio = (f"{bare.cpu_ms / r.cpu_ms:.2f}" if r.cpu_ms and bare.cpu_ms else "-")
        lines.append((backend, r.scenario, f"{r.requests_per_s:.0f}", f"{r.p50_ms:.1f}",
                      f"{r.p99_ms:.1f}", str(r.errors), f"{r.requests_per_s / bare.requests_per_s:.2f}",
                      f"{r.cpu_ms:.2f}" if r.cpu_ms is not None else "-", cpu_ratio))
    print_aligned(lines)


def print_aligned(lines: list[tuple[str, ...]]) -> None:
    """A header line, a rule, then the rows: two text columns, the rest right-aligned figures."""
    widths = [max(len(line[i]) for line in lines) for i in range(len(lines[0]))]
    for number, line in enumerate(lines):
        print("  ".join(cell.ljust(widths[i]) if i < 2 else cell.rjust(widths[i])
                        for i, cell in enumerate(line)))
        if number == 0:
            print("  ".join("-" * width for width in widths))


def load_average() -> str:
    return " ".join(f"{value:.1f}" for value in os.getloadavg())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=10, help="seconds per wrk run (default 10)")
    parser.add_argument("--connections", type=int, default=64, help="wrk connections (default 64)")
    parser.add_argument("--backend", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder (logs)")
    parser.add_argument("--generated-content", action="store_true",
                        help="use the generated ~40 KB-per-chapter course, not content/")
    args = parser.parse_args()
    if not 1 <= args.duration <= 300:
        parser.error("--duration must be between 1 and 300 seconds")
    if shutil.which("wrk") is None:
        parser.error("wrk is not installed (apt-get install wrk)")

    workdir = Path(tempfile.mkdtemp(prefix="courseware-bench-"))
    backends = ["sqlite", "postgresql"] if args.backend == "both" else [args.backend]
    rows: list[tuple[str, Result, Result]] = []
    load_before = load_average()
    try:
        content_dir, content_note = choose_content(workdir, args.generated_content)
        print(f"content: {content_note}")
        print(f"wrk: -t2 -c{args.connections} -d{args.duration}s on 127.0.0.1; "
              f"gunicorn: 2 workers x 8 threads; {os.cpu_count()} CPUs")
        for backend in backends:
            results = bench_backend(backend, content_dir, workdir, args)
            rows += [(backend, r, bare) for r, bare in results]
    except BaseException:
        print(f"\nbenchmark failed; logs kept in {workdir}", file=sys.stderr)
        raise
    print()
    print(f"content: {content_note}")
    print(f"load average (1, 5, 15 min): {load_before} before, {load_average()} after "
          f"({os.cpu_count()} CPUs; anything above the benchmark's own load skews req/s, "
          "not CPU ms/req)")
    print_table(rows)
    notes = [(backend, r) for backend, r, _bare in rows if r.notes or r.socket_errors]
    if notes:
        print()
        for backend, r in notes:
            details = list(r.notes)
            if r.socket_errors:
                details.append("socket errors " + ", ".join(f"{k} {v}" for k, v in r.socket_errors.items()))
            print(f"{backend} / {r.scenario}: " + "; ".join(details))
    for backend, r, bare in rows:
        if r.scenario.startswith("chapter page"):
            ratio = r.requests_per_s / bare.requests_per_s
            verdict = "meets" if ratio >= 0.5 else "BELOW"
            cpu = f" (CPU per request: {bare.cpu_ms / r.cpu_ms:.2f}x)" if r.cpu_ms and bare.cpu_ms else ""
            print(f"{backend}: chapter page at {ratio:.2f}x bare Flask throughput{cpu}: "
                  f"{verdict} the 0.5x target")
    if args.keep:
        print(f"logs: {workdir}")
    else:
        shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
