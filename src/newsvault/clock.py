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


def iso_ms(epoch_ms: int) -> str:
    """2022-01-27T09:36:52.404Z, the form of the seed's ``date:``."""
    moment = datetime.fromtimestamp(epoch_ms / 1000, tz=timezone.utc)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{epoch_ms % 1000:03d}Z"
