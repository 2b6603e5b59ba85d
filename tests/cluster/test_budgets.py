"""With a message queue, budgets live in its Redis: one budget for a link or an address whichever process a request
reaches; while Redis is away each process keeps budgets of its own, and shares again once it is back."""

from __future__ import annotations

import pytest
from flask import Flask

from worldcafe import ratelimit
from worldcafe.ratelimit import Budgets


@pytest.mark.redis
def test_two_processes_share_one_budget_and_keep_their_own_while_redis_is_away(private_redis, monkeypatch):
    first, second = Budgets(private_redis.url, "wc-test"), Budgets(private_redis.url, "wc-test")
    assert first.shared and second.shared
    assert [first.spend("link-note", "3/minute", "host-1") for _ in range(2)] == [None, None]
    assert second.spend("link-note", "3/minute", "host-1") is None
    wait = second.spend("link-note", "3/minute", "host-1")
    assert wait is not None and 1 <= wait <= 60
    assert first.spend("link-note", "3/minute", "host-1") is not None
    assert first.spend("link-note", "3/minute", "host-2") is None  # another link
    # Another deployment on the same Redis (its own channel name) counts apart.
    assert Budgets(private_redis.url, "other-cafe").spend("link-note", "3/minute", "host-1") is None

    monkeypatch.setattr(ratelimit, "REDIS_RETRY_S", 0.0)
    private_redis.stop()
    # Redis is away: this process's own budget, neither a refusal of everything nor no limit at all.
    local = [first.spend("link-note", "3/minute", "host-1") for _ in range(4)]
    assert local[:3] == [None, None, None] and local[3] is not None

    private_redis.start()  # empty again: a restarted Redis has forgotten the windows
    assert second.spend("link-note", "1/minute", "host-9") is None
    assert first.spend("link-note", "1/minute", "host-9") is not None  # shared again


@pytest.mark.redis
def test_the_app_keeps_its_budgets_in_the_message_queues_redis(private_redis):
    app = Flask(__name__)
    app.config.update(MESSAGE_QUEUE=private_redis.url, MESSAGE_QUEUE_CHANNEL="wc-test")
    ratelimit.init_app(app)
    assert app.extensions[ratelimit.EXTENSION].shared
    single = Flask(__name__)
    ratelimit.init_app(single)
    assert not single.extensions[ratelimit.EXTENSION].shared
