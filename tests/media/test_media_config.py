"""[media] in newsvault.toml."""

import pytest

from newsvault.config import MediaSettings, settings_from_dict
from newsvault.errors import ConfigError


def test_media_settings_and_their_defaults():
    assert settings_from_dict({}).media == MediaSettings()
    media = settings_from_dict({"media": {"download": False, "concurrency": 2, "max_file_mb": 0.5,
                                          "max_article_mb": 3, "max_attempts": 5,
                                          "max_per_run": 7}}).media
    assert media == MediaSettings(download=False, concurrency=2, max_file_bytes=512 * 1024,
                                  max_article_bytes=3 * 2**20, max_attempts=5, max_per_run=7)


@pytest.mark.parametrize("table, message", [
    ({"max_file_mb": 0}, "`media.max_file_mb` must be more than 0"),
    ({"concurrency": 0}, "`media.concurrency` must be at least 1"),
    ({"download": "yes"}, "`media.download` must be bool"),
    ({"max_attempts": 0}, "`media.max_attempts` must be at least 1"),
])
def test_a_wrong_media_value_names_its_key(table, message):
    with pytest.raises(ConfigError, match=message):
        settings_from_dict({"media": table})
