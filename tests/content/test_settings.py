"""The full-text keys of a [[sources]] block in newsvault.toml."""

import tomllib

import pytest

from newsvault.config import SourceSettings, settings_from_dict, source_block
from newsvault.errors import ConfigError


def source(**keys) -> SourceSettings:
    entry = {"name": "早报", "url": "https://example.org/feed", **keys}
    [parsed] = settings_from_dict({"sources": [entry]}).sources
    return parsed


def test_defaults():
    parsed = source()
    assert parsed.full_text == "auto"
    assert (parsed.content_selector, parsed.remove_selectors) == (None, [])


def test_values_and_a_written_block_reads_back_the_same():
    parsed = source(full_text="always", content_selector="div.article",
                    remove_selectors=["#dfp-ad-imu1", "section#imu"])
    assert parsed.remove_selectors == ["#dfp-ad-imu1", "section#imu"]
    [again] = settings_from_dict(tomllib.loads(source_block(parsed))).sources
    assert again == parsed


@pytest.mark.parametrize(("keys", "message"), [
    ({"full_text": "sometimes"}, "`sources #1.full_text` must be one of 'auto', 'always', 'never'"),
    ({"full_text": True}, "`sources #1.full_text` must be str"),
    ({"content_selector": "div["}, "`sources #1.content_selector`: 'div[' is not a CSS selector"),
    ({"remove_selectors": "#ad"}, "`sources #1.remove_selectors` must be list"),
    ({"remove_selectors": ["#ad", 3]}, "`sources #1.remove_selectors` must be a list of CSS"),
    ({"remove_selectors": ["a >"]}, "`sources #1.remove_selectors`: 'a >' is not a CSS selector"),
])
def test_a_wrong_value_names_the_key(keys, message):
    with pytest.raises(ConfigError, match=message.replace("[", r"\[").replace("(", r"\(")):
        source(**keys)
