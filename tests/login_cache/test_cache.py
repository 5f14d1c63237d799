"""The login cache's own rules: what it keeps, what it drops, and reads that
cross a change. Plain Python: no database."""

from __future__ import annotations

from courseware.login_cache import CachedLogin, LoginCache
from courseware.login_cache import cache as cache_module


def login(user_id: int, name: str = "ana") -> CachedLogin[str]:
    return CachedLogin(identity=name, user_id=user_id, remember=False, created_at=0, last_seen_at=0)


def listening_cache(**options: int) -> LoginCache[str]:
    cache: LoginCache[str] = LoginCache(**options)
    cache.resume()
    return cache


def test_a_stored_login_answers_until_its_learner_changes():
    cache = listening_cache()
    assert cache.store("cookie-1", cache.ticket(), login(1))
    assert cache.store("cookie-2", cache.ticket(), login(1, "ana on her phone"))
    assert cache.store("cookie-3", cache.ticket(), login(2, "bob"))
    assert cache.get("cookie-1").identity == "ana"
    cache.drop_user(1)
    assert cache.get("cookie-1") is None and cache.get("cookie-2") is None  # every device
    assert cache.get("cookie-3").identity == "bob"  # not anyone else
    assert (cache.hits, cache.misses) == (2, 2)


def test_a_read_that_crossed_a_change_is_not_kept():
    cache = listening_cache()
    ticket = cache.ticket()  # the page starts reading the database...
    cache.drop_user(1)  # ...a change of that learner is heard meanwhile...
    assert not cache.store("cookie-1", ticket, login(1))  # ...so what it read may be old
    assert cache.get("cookie-1") is None
    assert cache.store("cookie-2", ticket, login(2))  # another learner's read is fine
    assert cache.store("cookie-1", cache.ticket(), login(1))  # the next read is kept


def test_a_certificate_read_that_crossed_a_change_is_not_kept():
    cache = listening_cache()
    cache.store("cookie-1", cache.ticket(), login(1))
    ticket = cache.ticket()
    cache.drop_user(2)
    cache.store_certificate("cookie-1", ticket, "basics", "ABCD-EFGH")  # another learner changed
    assert cache.get("cookie-1").certificates == {"basics": "ABCD-EFGH"}
    ticket = cache.ticket()
    cache.drop_user(1)
    cache.store("cookie-1", cache.ticket(), login(1))
    cache.store_certificate("cookie-1", ticket, "basics", "OLD0-OLD0")
    assert cache.get("cookie-1").certificates == {}


def test_nothing_is_answered_or_kept_while_not_listening():
    cache: LoginCache[str] = LoginCache()
    assert not cache.listening
    assert not cache.store("cookie-1", cache.ticket(), login(1))  # never connected yet
    cache.resume()
    cache.store("cookie-1", cache.ticket(), login(1))
    ticket = cache.ticket()
    cache.suspend()  # the connection dropped: changes may go unheard from now on
    assert cache.get("cookie-1") is None
    assert not cache.store("cookie-2", cache.ticket(), login(2))
    cache.resume()  # back: starts empty, and reads begun before are refused
    assert len(cache) == 0 and cache.get("cookie-1") is None
    assert not cache.store("cookie-1", ticket, login(1))
    assert cache.store("cookie-1", cache.ticket(), login(1))


def test_a_reset_forgets_everyone_and_refuses_reads_in_flight():
    cache = listening_cache()
    cache.store("cookie-1", cache.ticket(), login(1))
    ticket = cache.ticket()
    cache.reset()  # a table was truncated
    assert cache.get("cookie-1") is None
    assert not cache.store("cookie-2", ticket, login(2))


def test_the_cache_stays_within_its_size():
    cache = listening_cache(max_entries=3)
    for user_id in range(1, 6):
        cache.store(f"cookie-{user_id}", cache.ticket(), login(user_id))
    assert len(cache) == 3
    assert cache.get("cookie-1") is None and cache.get("cookie-2") is None  # the oldest went
    cache.drop_user(5)
    assert len(cache) == 2 and cache.get("cookie-4") is not None
    cache.store("cookie-4", cache.ticket(), login(4, "again"))  # same key: replaced, not added
    assert len(cache) == 2 and cache.get("cookie-4").identity == "again"


def test_remembered_drops_are_bounded_too(monkeypatch):
    monkeypatch.setattr(cache_module, "MAX_REMEMBERED_DROPS", 10)
    cache = listening_cache()
    cache.store("cookie-1", cache.ticket(), login(1))
    ticket = cache.ticket()
    for user_id in range(100, 120):  # a bulk change of many learners
        cache.drop_user(user_id)
    assert len(cache._dropped_at) <= 10
    assert cache.get("cookie-1") is None  # past the bound: everything is forgotten instead
    assert not cache.store("cookie-9", ticket, login(9))


def test_a_cached_login_answers_only_while_seen_recently_and_alive():
    from courseware.accounts import login_is_current
    from courseware.sessions import SessionLifetimes

    lifetimes = SessionLifetimes(idle=7200, absolute=43200, remembered=2592000)
    seen = CachedLogin(identity="ana", user_id=1, remember=False, created_at=1000, last_seen_at=1000)
    assert login_is_current(seen, lifetimes, now=1000 + lifetimes.touch_interval - 1)
    # Time to write "last seen" again: the database answers (and writes it), not the cache.
    assert not login_is_current(seen, lifetimes, now=1000 + lifetimes.touch_interval)
    # Past the absolute lifetime, however recently seen.
    old = CachedLogin(identity="ana", user_id=1, remember=False, created_at=0, last_seen_at=43300)
    assert not login_is_current(old, lifetimes, now=43301)
    remembered = CachedLogin(identity="ana", user_id=1, remember=True, created_at=0, last_seen_at=43300)
    assert login_is_current(remembered, lifetimes, now=43301)  # "remember me" lasts longer
