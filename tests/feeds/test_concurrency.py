import pickle
from concurrent.futures import ThreadPoolExecutor

from .helpers import parse_fixture

FIXTURES = ["rss20-basic.xml", "atom10-basic.xml", "bare-ampersand.xml", "gbk-declared-in-xml.xml",
            "jsonfeed-11.json", "truncated.xml", "rdf-rss10.xml"]


def test_parsing_in_threads_gives_the_same_results():
    expected = [parse_fixture(name) for name in FIXTURES]
    with ThreadPoolExecutor(4) as pool:
        for _ in range(5):
            assert list(pool.map(parse_fixture, FIXTURES * 3)) == expected * 3


def test_parsed_feeds_pickle_for_worker_processes():
    for name in FIXTURES:
        feed = parse_fixture(name)
        assert pickle.loads(pickle.dumps(feed)) == feed
