import pytest

from warmbee.core.ratelimit import RateLimitedError, check_rate


def test_allows_up_to_the_limit_then_refuses():
    for _request in range(3):
        check_rate("flags", "10.0.0.1", limit=3, window_s=60)
    with pytest.raises(RateLimitedError):
        check_rate("flags", "10.0.0.1", limit=3, window_s=60)


def test_counts_each_client_and_scope_apart():
    for _request in range(3):
        check_rate("flags", "10.0.0.1", limit=3, window_s=60)
    check_rate("flags", "10.0.0.2", limit=3, window_s=60)
    check_rate("checkins", "10.0.0.1", limit=3, window_s=60)
