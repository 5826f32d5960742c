"""The one clock: ``NEWSVAULT_NOW`` (ISO 8601) fixes it for reproducible runs and tests."""

import os
import time
from datetime import datetime, timezone

from newsvault.errors import ConfigError


def now_ms() -> int:
    fixed = os.environ.get("NEWSVAULT_NOW")
    if not fixed:
        return time.time_ns() // 1_000_000
    try:
        moment = datetime.fromisoformat(fixed.replace("Z", "+00:00"))
    except ValueError:
        raise ConfigError(
            f"NEWSVAULT_NOW={fixed!r} is not ISO 8601; use e.g. 2022-01-27T09:36:52.404Z"
        ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return round(moment.timestamp() * 1000)


# the times every reader of the archive can show in any time zone, with a four-digit year:
# 1000-01-02 to 9998-12-31
EARLIEST_SHOWN_MS, LATEST_SHOWN_MS = -30_610_137_600_000, 253_370_678_400_000


def shown(epoch_ms: int) -> int:
    """``epoch_ms`` within the times that can be shown (an archive an older newsvault
    imported may hold Go's zero time, year 1, which no zone west of UTC can show, and
    which pages would write as "1-12-31")."""
    return min(max(epoch_ms, EARLIEST_SHOWN_MS), LATEST_SHOWN_MS)


def iso_ms(epoch_ms: int) -> str:
    """2022-01-27T09:36:52.404Z, the form of the seed's ``date:``."""
    epoch_ms = shown(epoch_ms)
    moment = datetime.fromtimestamp(epoch_ms / 1000, tz=timezone.utc)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{epoch_ms % 1000:03d}Z"
