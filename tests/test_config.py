"""newsvault.toml: what newsvault writes into it reads back, and what it reads is checked."""

import tomllib

from hypothesis import given, strategies as st

from newsvault.config import clean_name, name_problem, text_problem, toml_string

# every character a str can hold in a file: all but lone surrogates
any_text = st.text(st.characters(blacklist_categories=("Cs",)))


@given(any_text)
def test_a_written_string_reads_back_the_same(value):
    assert tomllib.loads(f"key = {toml_string(value)}")["key"] == value


def test_del_and_other_control_characters_are_escaped():
    assert toml_string("a\x7fb\x00c\x1fd\te") == '"a\\u007fb\\u0000c\\u001fd\\te"'


def test_names_from_feeds_lose_control_characters_and_line_breaks():
    assert clean_name("Odd\x7fname") == "Oddname"
    assert clean_name("  Two\r\nlines\u2028and\ttabs\x00 ") == "Two lines and tabs"
    assert clean_name("\x01\x7f") == ""
    assert clean_name("联合早报 (中国)") == "联合早报 (中国)"


def test_what_is_wrong_with_a_typed_name():
    assert name_problem("联合早报") is None
    assert name_problem(" ") == "is empty"
    assert name_problem("a\x7fb") == "contains a control character (U+007F)"
    assert name_problem("a\nb") == "contains a line break (U+000A)"
    assert text_problem("\udcff") == "is not UTF-8 text"  # a command line byte that was not UTF-8
    assert text_problem("emoji 👩‍💻 and RTL \u200f are text") is None
