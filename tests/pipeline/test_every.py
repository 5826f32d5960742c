"""`run --every`: a fixed schedule; a long run drops the ticks it overlapped."""

from newsvault.pipeline.running import every


class FakeTime:
    def __init__(self):
        self.now = 0.0
        self.sleeps = []

    def clock(self):
        return self.now

    def sleep(self, seconds):
        self.sleeps.append(seconds)
        self.now += seconds


def test_ticks_land_on_the_schedule():
    time = FakeTime()
    started = []

    def tick():
        started.append(time.now)
        time.now += 10  # each run takes 10 s

    every(60, tick, ticks=3, sleep=time.sleep, clock=time.clock)
    assert started == [0, 60, 120]


def test_a_run_longer_than_the_interval_skips_the_missed_ticks_instead_of_bursting():
    time = FakeTime()
    started = []
    durations = iter([150, 10, 10])

    def tick():
        started.append(time.now)
        time.now += next(durations)

    every(60, tick, ticks=3, sleep=time.sleep, clock=time.clock)
    assert started == [0, 180, 240]  # the ticks at 60 and 120 were dropped, not run late
    assert all(seconds > 0 for seconds in time.sleeps)


def test_the_wait_before_each_next_tick_is_told():
    time = FakeTime()
    told = []

    def tick():
        time.now += 10

    every(60, tick, ticks=3, sleep=time.sleep, clock=time.clock, on_wait=told.append)
    assert told == time.sleeps == [50, 50]
