"""Realistic demonstration data, generated in memory batch by batch (no database here).

What a campaign of a few months looks like: partners with one to three tracking
links each, sign-ups that come in waves after each partner's launch (fewer at
week-ends), about three clicks per sign-up that came through a link, ~70% of
sign-ups attributed to an organisation, a steep drop-off over the first
chapters, ~60% of starters finishing and most finishers certified.

The funnel counters are derived from the very events the rows are made of,
counted the way the event hooks count them (see `courseware.reports.counters`):
each event once per learner, on the UTC day it happened, with the learner's
organisation and link (0 when none). So `funnel_counts` agrees exactly with
`users`, `chapter_progress` and `certificates`, which a test checks.

Times are whole seconds since the epoch (UTC) here; `courseware.demo.bulk`
writes them in each database's own spelling.
"""

from __future__ import annotations

import math
import random
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from ..analytics.durations import bucket_for
from ..certificates.ids import public_id_from_bits
from .names import FIRST_NAMES, LAST_NAMES, PARTNER_KINDS, PLACES, ascii_slug

# The shape of the funnel (fractions). Documented in the README's demo section.
ATTRIBUTED = 0.70          # sign-ups that came through an organisation
VIA_UTM = 0.10             # of those: a UTM-tagged page rather than /go/<code>
VIA_INVITATION = 0.15      # of those: a staff invitation (no link)
CLICKS_PER_LINK_SIGNUP = 3  # clicks counted on a link per sign-up it brought
STARTED = 0.80             # sign-ups who open the first chapter
FINISHED = 0.60            # starters who complete every chapter
CERTIFIED = 0.85           # finishers who ask for their certificate
SHARE_PROGRESS = 0.60      # attributed learners who let managers see their progress
DROP_OFF = 0.72            # a non-finisher completes k chapters with weight DROP_OFF**k
ENGLISH = 0.10             # learners whose interface is in English
EMAIL_DOMAIN = "demo.example.org"  # RFC 2606: never a real mailbox

DAY = 86_400
# Funnel steps as small integers while counting (tuples of ints hash fast); see STEP_NAMES.
CLICK, SIGNUP, STARTED_STEP, OPENED, COMPLETED, FINISHED_STEP, CERTIFIED_STEP = range(7)
STEP_NAMES = ("click", "signup", "started", "opened", "completed", "finished", "certified")


@dataclass(frozen=True)
class CourseFacts:
    """What the seed needs of the course learners follow (a content `Course` provides it)."""

    slug: str
    title: str
    language: str
    issuer: str
    total_minutes: int
    content_version: str
    chapter_slugs: tuple[str, ...]
    chapter_minutes: tuple[int, ...]


@dataclass(frozen=True)
class SeedOptions:
    learners: int
    organisations: int
    course: CourseFacts
    end: datetime                      # "now": nothing happens after it
    password_hash: str                 # one hash shared by every demo account (see cli/demo.py)
    signer_fingerprint: str
    verification_url_for: Callable[[str], str]
    months: int = 12
    seed: int = 1
    batch_size: int = 50_000


@dataclass(frozen=True)
class OrganisationRow:
    id: int
    slug: str
    name: str
    contact_name: str
    contact_email: str
    created_at: int


@dataclass(frozen=True)
class LinkRow:
    id: int
    organisation_id: int
    code: str
    label: str
    utm_source: str | None
    utm_campaign: str | None
    created_at: int
    weight: float  # how popular the link is


@dataclass
class Batch:
    """Rows for one batch of learners, as tuples in `bulk.COLUMNS` order."""

    users: list[tuple] = field(default_factory=list)
    progress: list[tuple] = field(default_factory=list)
    certificates: list[tuple] = field(default_factory=list)
    invitations: list[tuple] = field(default_factory=list)


@dataclass
class Partners:
    organisations: list[OrganisationRow]
    links: list[LinkRow]
    # user rows of one manager per organisation, and the (organisation, user) pairs
    managers: list[tuple]
    manager_pairs: list[tuple[int, int]]


_CODE_ALPHABET = "23456789abcdefghjkmnpqrstuvwxyz"  # no 0/o, 1/l/i: readable when printed


class DemoGenerator:
    """Generates partners, then learners batch by batch, counting funnel events as it goes.

    `counters` maps (day number, organisation id, link id, chapter index or -1,
    step) to a count; `funnel_rows()` spells them as `funnel_counts` rows.
    """

    def __init__(self, options: SeedOptions) -> None:
        self.options = options
        self.rng = random.Random(options.seed)
        self.end = int(options.end.timestamp())
        end_day = self.end // DAY
        self.start_day = end_day - round(options.months * 30.44) + 1
        self.counters: Counter[tuple[int, int, int, int, int]] = Counter()
        # The instructor dashboard's counters: (day, chapter index, language, step or bucket).
        self.chapter_counts: Counter[tuple[int, int, str, str]] = Counter()
        self.completion_times: Counter[tuple[int, int, str, int]] = Counter()
        self.partners = self._partners()
        self._day_weights = self._signup_day_weights()
        self._link_weights = _cumulative([link.weight for link in self.partners.links])
        self._dropoff = _cumulative([DROP_OFF ** k for k in range(len(options.course.chapter_slugs))])
        self._ascii_first = [ascii_slug(name) for name in FIRST_NAMES]
        self._ascii_last = [ascii_slug(name) for name in LAST_NAMES]

    # ------------------------------------------------------------------ partners

    def _partners(self) -> Partners:
        rng, options = self.rng, self.options
        created = (self.start_day - 14) * DAY + 9 * 3600
        organisations, links, managers, pairs = [], [], [], []
        codes: set[str] = set()
        manager_id = 1
        for index in range(options.organisations):
            kind, populations = PARTNER_KINDS[index % len(PARTNER_KINDS)]
            place = PLACES[(index // len(PARTNER_KINDS)) % len(PLACES)]
            round_ = index // (len(PARTNER_KINDS) * len(PLACES))
            name = f"{kind} {place}" + (f" ({round_ + 1})" if round_ else "")
            slug = ascii_slug(name)
            org_id = index + 1
            contact = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
            email = f"contact@{slug}.{EMAIL_DOMAIN}"
            organisations.append(OrganisationRow(org_id, slug, name, contact, email, created))
            size = rng.lognormvariate(0, 0.9)  # a few large partners, many small ones
            for number, population in enumerate(populations[: rng.randint(1, min(3, len(populations)))]):
                code = _unique_code(rng, codes)
                utm = (slug[:90], f"ia-{ascii_slug(population)}") if rng.random() < 0.5 else (None, None)
                links.append(LinkRow(len(links) + 1, org_id, code, f"{name} — {population}", utm[0],
                                     utm[1], created, size * (1.0 if number == 0 else rng.uniform(0.2, 0.8))))
            managers.append(self._user_row(
                manager_id, f"Responsable {place}", f"responsable.{slug}@{EMAIL_DOMAIN}", created,
                None, None, None, False, "fr"))
            self._count(created, 0, 0, -1, SIGNUP)  # managers signed up too
            pairs.append((org_id, manager_id))
            manager_id += 1
        return Partners(organisations, links, managers, pairs)

    def _signup_day_weights(self) -> list[float]:
        """Cumulative weights of sign-up days: waves after launches, quieter week-ends."""
        rng = self.rng
        days = self.end // DAY - self.start_day + 1
        launches = [rng.randrange(days) for _ in range(max(1, days // 40))]
        weights = []
        for offset in range(days):
            weight = 1.0 + sum(6.0 * math.exp(-(offset - launch) / 9.0)
                               for launch in launches if offset >= launch)
            if (self.start_day + offset + 3) % 7 >= 5:  # epoch day 0 was a Thursday
                weight *= 0.4
            weights.append(weight)
        return _cumulative(weights)

    # ------------------------------------------------------------------ learners

    def batches(self) -> Iterator[Batch]:
        """Learners in batches of `batch_size`, ids after the managers'."""
        next_id = len(self.partners.managers) + 1
        remaining = self.options.learners
        while remaining > 0:
            size = min(self.options.batch_size, remaining)
            yield self._batch(next_id, size)
            next_id += size
            remaining -= size

    def _batch(self, first_id: int, size: int) -> Batch:
        rng, options, end = self.rng, self.options, self.end
        random_ = rng.random
        course = options.course
        chapters = len(course.chapter_slugs)
        seconds = [minutes * 60 for minutes in course.chapter_minutes]
        links = self.partners.links
        batch = Batch()
        users, progress, count = batch.users, batch.progress, self._count
        analytics, durations = self.chapter_counts, self.completion_times
        days = rng.choices(range(len(self._day_weights)), cum_weights=self._day_weights, k=size)
        chosen_links = rng.choices(links, cum_weights=self._link_weights, k=size) if links else []
        for index in range(size):
            user_id = first_id + index
            signup = min(end - 60, (self.start_day + days[index]) * DAY + rng.randrange(7 * 3600, 23 * 3600))
            organisation_id = link_id = attribution = None
            share = False
            if links and random_() < ATTRIBUTED:
                link = chosen_links[index]
                organisation_id = link.organisation_id
                share = random_() < SHARE_PROGRESS
                how = random_()
                if how < VIA_INVITATION:
                    attribution = "invitation"
                else:
                    link_id = link.id
                    attribution = "utm" if how < VIA_INVITATION + VIA_UTM and link.utm_source else "link"
                    self._clicks(signup, link)
            first, last = rng.randrange(len(FIRST_NAMES)), rng.randrange(len(LAST_NAMES))
            name = f"{FIRST_NAMES[first]} {LAST_NAMES[last]}"
            email = f"{self._ascii_first[first]}.{self._ascii_last[last]}.{user_id}@{EMAIL_DOMAIN}"
            # The interface language is also the one the instructor dashboard counts pages in.
            locale = "en" if random_() < ENGLISH else "fr"
            users.append(self._user_row(user_id, name, email, signup, organisation_id, link_id,
                                        attribution, share, locale))
            org, lnk = organisation_id or 0, link_id or 0
            count(signup, org, lnk, -1, SIGNUP)
            if attribution == "invitation":
                invited = signup - rng.randrange(3600, 10 * DAY)
                batch.invitations.append((organisation_id, email, name, invited, invited, signup))
            if random_() >= STARTED:
                continue
            finishes = random_() < FINISHED
            target = chapters if finishes else rng.choices(range(chapters), cum_weights=self._dropoff)[0]
            moment = signup + _first_visit_delay(rng)
            if moment > end:
                continue
            count(moment, org, lnk, -1, STARTED_STEP)
            last_completion, done = 0, 0
            for chapter in range(min(chapters, target + 1)):
                opened = moment
                count(opened, org, lnk, chapter, OPENED)
                analytics[(opened // DAY, chapter, locale, "opened")] += 1
                completed = None
                if chapter < target:
                    completed = opened + int(seconds[chapter] * (0.5 + random_()))
                    if completed > end:
                        completed = None
                progress.append((user_id, course.slug, course.chapter_slugs[chapter], opened, completed))
                if completed is None:
                    break
                count(completed, org, lnk, chapter, COMPLETED)
                analytics[(completed // DAY, chapter, locale, "completed")] += 1
                durations[(completed // DAY, chapter, locale, bucket_for(completed - opened))] += 1
                last_completion, done = completed, done + 1
                moment = completed + _gap_between_chapters(rng)
                if moment > end:
                    break
            if done == chapters:
                count(last_completion, org, lnk, -1, FINISHED_STEP)
                if random_() < CERTIFIED:
                    issued = last_completion + (rng.randrange(30, 900) if random_() < 0.7
                                                else rng.randrange(DAY, 5 * DAY))
                    if issued <= end:
                        count(issued, org, lnk, -1, CERTIFIED_STEP)
                        batch.certificates.append(self._certificate_row(user_id, name, issued))
        return batch

    def _clicks(self, signup: int, link: LinkRow) -> None:
        """The click that brought the learner, and others on the link that did not convert."""
        self._count(signup - self.rng.randrange(60, 1800), link.organisation_id, link.id, -1, CLICK)
        low, high = max(link.created_at, signup - 20 * DAY), min(self.end, signup + 20 * DAY)
        for _ in range(CLICKS_PER_LINK_SIGNUP - 1):
            self._count(self.rng.randint(low, high), link.organisation_id, link.id, -1, CLICK)

    def _count(self, moment: int, organisation_id: int, link_id: int, chapter: int, step: int) -> None:
        self.counters[(moment // DAY, organisation_id, link_id, chapter, step)] += 1

    def _user_row(self, user_id: int, name: str, email: str, created: int, organisation_id: int | None,
                  link_id: int | None, attribution: str | None, share: bool, locale: str) -> tuple:
        return (user_id, email, name, self.options.password_hash, "learner", locale, created, 1,
                organisation_id, link_id, attribution, share)

    def _certificate_row(self, user_id: int, name: str, issued: int) -> tuple:
        course, options = self.options.course, self.options
        public_id = public_id_from_bits(self.rng.getrandbits(80))
        return (public_id, user_id, f"{user_id}:{course.slug}", course.slug, course.title,
                course.language, course.content_version, course.total_minutes, course.issuer, name,
                issued, "valid", options.verification_url_for(public_id), options.signer_fingerprint)

    # ------------------------------------------------------------------ counters

    def funnel_rows(self) -> Iterator[tuple[date, int, int, str, str, str, int]]:
        """The counters as `funnel_counts` rows: (day, organisation, link, course, chapter, step, count).

        click and signup are platform-wide (course ""), started/finished/certified
        per course, opened/completed per chapter, as `count_event` is called.
        """
        course = self.options.course
        epoch = date(1970, 1, 1)
        for (day, organisation_id, link_id, chapter, step), amount in sorted(self.counters.items()):
            course_slug = "" if step in (CLICK, SIGNUP) else course.slug
            chapter_slug = course.chapter_slugs[chapter] if chapter >= 0 else ""
            yield (epoch + timedelta(days=day), organisation_id, link_id, course_slug, chapter_slug,
                   STEP_NAMES[step], amount)


    def monthly_rows(self) -> Iterator[tuple[date, int, int, str, str, str, int]]:
        """The same counters summed per month, as `funnel_counts_monthly` rows (what
        `count_event` adds to the monthly table)."""
        monthly: Counter[tuple] = Counter()
        for day, organisation_id, link_id, course_slug, chapter_slug, step, amount in self.funnel_rows():
            monthly[(day.replace(day=1), organisation_id, link_id, course_slug, chapter_slug, step)] += amount
        for key, amount in sorted(monthly.items()):
            yield (*key, amount)


    def analytics_rows(self) -> Iterator[tuple[str, tuple]]:
        """The instructor dashboard's counters as (table, row) pairs, each per day and per
        month, as `analytics.events` counts them (no quiz attempts are generated)."""
        course, epoch = self.options.course, date(1970, 1, 1)
        for table, counter in (("analytics_chapter_counts", self.chapter_counts),
                               ("analytics_completion_times", self.completion_times)):
            monthly: Counter[tuple] = Counter()
            for (day, chapter, language, what), amount in sorted(counter.items()):
                when = epoch + timedelta(days=day)
                key = (course.slug, course.chapter_slugs[chapter], language, what)
                monthly[(when.replace(day=1), *key)] += amount
                yield table, (course.slug, "day", when, *key[1:], amount)
            for (month, *key), amount in sorted(monthly.items()):
                yield table, (key[0], "month", month, *key[1:], amount)


def _first_visit_delay(rng: random.Random) -> int:
    """Most start within the hour of signing up; some come back days or weeks later."""
    draw = rng.random()
    if draw < 0.6:
        return rng.randrange(30, 3600)
    if draw < 0.9:
        return rng.randrange(DAY, 3 * DAY)
    return rng.randrange(7 * DAY, 21 * DAY)


def _gap_between_chapters(rng: random.Random) -> int:
    draw = rng.random()
    if draw < 0.55:
        return rng.randrange(10, 600)       # straight on
    if draw < 0.85:
        return rng.randrange(DAY, 3 * DAY)  # next session
    return rng.randrange(4 * DAY, 20 * DAY)


def _cumulative(weights: list[float]) -> list[float]:
    total, cumulative = 0.0, []
    for weight in weights:
        total += weight
        cumulative.append(total)
    return cumulative


def _unique_code(rng: random.Random, taken: set[str]) -> str:
    while True:
        code = "".join(rng.choice(_CODE_ALPHABET) for _ in range(6))
        if code not in taken:
            taken.add(code)
            return code
