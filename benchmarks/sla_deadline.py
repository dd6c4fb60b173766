#!/usr/bin/env python3
# This file is part of the service modules for Tryton.
# The COPYRIGHT file at the top level of this repository contains the full
# copyright notices and license terms.
"""How the cost of an SLA deadline grows with the target.

The calendar is a realistic one: Monday to Friday 08:30-12:00 and
13:00-17:30, Saturday 09:00-12:00 (43 business hours a week) and fifteen
holidays in the year.  For a fixed set of ticket arrival times (in and out
of business hours, over one week) the script times, in the same process,
`BusinessCalendar.add` for an 8-hour target (the baseline) and for an
800-hour target, about 19 weeks of calendar.  Each figure is the median, over
several repeats, of the mean time per call of a repeat that makes many calls
(`time.perf_counter`).

For comparison it times a naive implementation that steps minute by minute
through the calendar on the same arrival times and targets.  Its cost is
proportional to the calendar minutes spanned, so the 800-hour target costs
it about a hundred times the 8-hour one.  The clock counts business time
(whole weeks, holidays by bisection) and finds the deadline by jumping weeks
and bisecting: its cost does not grow with the target, so its ratio must
stay near 1 (at most 3).

The last line of the output is `ratio_800h_vs_8h=<clock 800h / clock 8h>`,
the line before it the same ratio for the naive implementation.
"""
import datetime as dt
import statistics
import sys
import time

from trytond.modules.service_desk.sla_clock import BusinessCalendar

HOURS = (
    [(weekday, dt.time(8, 30), dt.time(12)) for weekday in range(5)]
    + [(weekday, dt.time(13), dt.time(17, 30)) for weekday in range(5)]
    + [(5, dt.time(9), dt.time(12))])
HOLIDAYS = [
    dt.date(2026, 1, 1), dt.date(2026, 1, 2),
    dt.date(2026, 2, 16), dt.date(2026, 2, 17), dt.date(2026, 2, 18),
    dt.date(2026, 2, 19), dt.date(2026, 2, 20),
    dt.date(2026, 4, 6),
    dt.date(2026, 5, 1), dt.date(2026, 5, 4), dt.date(2026, 5, 5),
    dt.date(2026, 6, 19),
    dt.date(2026, 9, 25),
    dt.date(2026, 10, 1), dt.date(2026, 10, 2),
    ]
# Ticket arrivals over the week of Monday 2026-01-12
STARTS = [
    dt.datetime(2026, 1, 12, 9, 15),  # Monday morning
    dt.datetime(2026, 1, 13, 11, 40),  # just before lunch
    dt.datetime(2026, 1, 13, 12, 20),  # during lunch
    dt.datetime(2026, 1, 14, 7, 45),  # before opening
    dt.datetime(2026, 1, 15, 16, 50),  # late afternoon
    dt.datetime(2026, 1, 16, 19, 5),  # Friday evening
    dt.datetime(2026, 1, 17, 10, 30),  # Saturday morning
    dt.datetime(2026, 1, 18, 21, 0),  # Sunday evening
    ]
TARGETS = [dt.timedelta(hours=8), dt.timedelta(hours=800)]
REPEATS = 5
MIN_REPEAT_TIME = 0.2  # seconds
NAIVE_REPEATS = 3

MINUTE = dt.timedelta(minutes=1)


class NaiveCalendar:
    "The reference: step through the calendar minute by minute"

    def __init__(self, hours, holidays=()):
        self._minutes = {}
        for weekday, start, end in hours:
            first = start.hour * 60 + start.minute
            last = end.hour * 60 + end.minute or 24 * 60
            self._minutes.setdefault(weekday, set()).update(
                range(first, last))
        self._holidays = frozenset(holidays)

    def add(self, start, duration):
        remaining = duration // MINUTE
        moment = start
        while remaining > 0:
            if (moment.date() not in self._holidays
                    and (moment.hour * 60 + moment.minute)
                    in self._minutes.get(moment.weekday(), ())):
                remaining -= 1
            moment += MINUTE
        return moment


def time_per_call(add, duration, repeats, min_repeat_time=0.):
    """Return the median over repeats of the mean time of one call to add
    for each of STARTS, a repeat making rounds over STARTS until it lasts
    min_repeat_time"""
    rounds = 1
    while True:
        elapsed = run(add, duration, rounds)
        if elapsed >= min_repeat_time:
            break
        rounds *= 2
    samples = [elapsed]
    samples.extend(run(add, duration, rounds) for _ in range(repeats - 1))
    return statistics.median(samples) / (rounds * len(STARTS))


def run(add, duration, rounds):
    begin = time.perf_counter()
    for _ in range(rounds):
        for start in STARTS:
            add(start, duration)
    return time.perf_counter() - begin


def check(clock, naive):
    "Make sure that both implementations give the same deadlines"
    for duration in TARGETS:
        for start in STARTS:
            expected = naive.add(start, duration)
            result = clock.add(start, duration)
            if result != expected:
                sys.exit(
                    f"Mismatch for {start} + {duration}: "
                    f"clock {result}, naive {expected}")


def main():
    clock = BusinessCalendar(HOURS, HOLIDAYS)
    naive = NaiveCalendar(HOURS, HOLIDAYS)
    check(clock, naive)

    timings = {}
    for name, add, repeats, min_repeat_time in [
            ('clock', clock.add, REPEATS, MIN_REPEAT_TIME),
            ('naive', naive.add, NAIVE_REPEATS, 0.),
            ]:
        timings[name] = [
            time_per_call(add, duration, repeats, min_repeat_time)
            for duration in TARGETS]

    print(f"{len(STARTS)} arrival times, median per call "
        f"({REPEATS} repeats for the clock, {NAIVE_REPEATS} for naive)")
    print(f"{'':8}{'8h':>12}{'800h':>12}{'ratio':>10}")
    for name, (base, target) in timings.items():
        print(f"{name:8}{base * 1e6:10.1f}us{target * 1e6:10.1f}us"
            f"{target / base:10.1f}")
    naive_ratio = timings['naive'][1] / timings['naive'][0]
    ratio = timings['clock'][1] / timings['clock'][0]
    print(f"naive_ratio_800h_vs_8h={naive_ratio:.1f}")
    print(f"ratio_800h_vs_8h={ratio:.2f}")


if __name__ == '__main__':
    main()
