"""Peak memory of this process during a block, sampled with psutil."""

import threading

import psutil


class PeakRss:
    """``with PeakRss() as peak: ...`` then ``peak.growth``: the highest resident set size
    seen during the block (sampled every ``interval`` seconds) minus the one before it."""

    def __init__(self, interval: float = 0.002):
        self._process = psutil.Process()
        self._interval = interval
        self._done = threading.Event()
        self.start = self.peak = 0

    def __enter__(self) -> "PeakRss":
        self.start = self.peak = self._process.memory_info().rss
        self._thread = threading.Thread(target=self._sample, name="peak-rss", daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self._done.set()
        self._thread.join()
        self._take()

    @property
    def growth(self) -> int:
        return self.peak - self.start

    def _sample(self) -> None:
        while not self._done.wait(self._interval):
            self._take()

    def _take(self) -> None:
        self.peak = max(self.peak, self._process.memory_info().rss)
