# This file is part of the service modules for Tryton.
# The COPYRIGHT file at the top level of this repository contains the full
# copyright notices and license terms.
"""The SLA clock: business time on a weekly calendar.

Pure logic, no ORM.  All datetimes are naive and in the calendar's own time
zone; the caller converts.  The business time between two moments is
counted, not walked: whole weeks times the week's hours, the weekdays left,
less the hours of the holidays in between (found by bisection in their
running total) and of the pauses.  A deadline is found by jumping whole
weeks towards it and bisecting the last ones, so its cost does not grow with
the target: it grows with the logarithm of the holidays and with the pauses.
"""
import bisect
import datetime as dt

MIDNIGHT = dt.time(0)
ONE_DAY = dt.timedelta(days=1)
ZERO = dt.timedelta(0)
MINUTE_EPSILON = dt.timedelta(microseconds=1)


def _merge(intervals):
    "Return the intervals sorted with the overlapping ones merged"
    merged = []
    for start, end in sorted(intervals):
        if end <= start:
            continue
        if merged and start <= merged[-1][1]:
            if end > merged[-1][1]:
                merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return merged


def _offset(time):
    return dt.timedelta(
        hours=time.hour, minutes=time.minute, seconds=time.second,
        microseconds=time.microsecond)


class BusinessCalendar:
    """Opening hours per weekday, minus holidays.

    `hours` is an iterable of (weekday, start, end) with weekday 0 for Monday
    and start, end as `datetime.time`; an end of 00:00 means midnight at the
    end of the day.  Several ranges a day are allowed: the gap between them
    (a lunch break) is not business time.

    A deadline is the first moment at which the business time has run: a
    deadline that uses up a day's hours is that day's closing time, not the
    next opening.
    """

    def __init__(self, hours, holidays=()):
        ranges = {}
        for weekday, start, end in hours:
            end = ONE_DAY if end == MIDNIGHT else _offset(end)
            ranges.setdefault(weekday, []).append((_offset(start), end))
        self._ranges = {wd: _merge(r) for wd, r in ranges.items()}
        self._ranges = {wd: r for wd, r in self._ranges.items() if r}
        if not self._ranges:
            raise ValueError("A business calendar needs opening hours")
        self._holidays = frozenset(holidays)
        self._sorted_holidays = sorted(self._holidays)
        day = [sum((end - start for start, end in self._ranges.get(wd, [])),
                ZERO) for wd in range(7)]
        # Any seven days in a row from a midnight hold each weekday once
        self._week = sum(day, ZERO)
        # The business time of the weekdays before each of two weeks
        self._weekdays = [ZERO]
        for weekday in range(14):
            self._weekdays.append(self._weekdays[-1] + day[weekday % 7])
        # The business time of the holidays before each holiday
        self._holiday_times = [ZERO]
        for holiday in self._sorted_holidays:
            self._holiday_times.append(
                self._holiday_times[-1] + day[holiday.weekday()])

    def is_working_day(self, date):
        return (date not in self._holidays
            and date.weekday() in self._ranges)

    def periods(self, date):
        "Return the business periods of the date as datetime pairs"
        if date in self._holidays:
            return []
        midnight = dt.datetime.combine(date, MIDNIGHT)
        return [(midnight + start, midnight + end)
            for start, end in self._ranges.get(date.weekday(), [])]

    def _day_intervals(self, date, start, pauses):
        "Return the business intervals of date from start, pauses cut out"
        intervals = []
        i = bisect.bisect_right(pauses, (start, start))
        i = max(i - 1, 0)
        for begin, end in self.periods(date):
            if end <= start:
                continue
            begin = max(begin, start)
            while i < len(pauses) and pauses[i][1] <= begin:
                i += 1
            j = i
            while j < len(pauses) and pauses[j][0] < end:
                pause_start, pause_end = pauses[j]
                if pause_start > begin:
                    intervals.append((begin, pause_start))
                begin = max(begin, pause_end)
                if pause_end >= end:
                    break
                j += 1
            if begin < end:
                intervals.append((begin, end))
        return intervals

    def _day_time(self, date, begin=ZERO, end=ONE_DAY):
        "Return the business time of date between the offsets begin, end"
        if date in self._holidays:
            return ZERO
        total = ZERO
        for start, stop in self._ranges.get(date.weekday(), []):
            if stop > begin and start < end:
                total += min(stop, end) - max(start, begin)
        return total

    def _days_time(self, first, last):
        "Return the business time of the whole days from first to last"
        days = (last - first).days
        if days <= 0:
            return ZERO
        weeks, rest = divmod(days, 7)
        weekday = first.weekday()
        total = weeks * self._week + (
            self._weekdays[weekday + rest] - self._weekdays[weekday])
        i = bisect.bisect_left(self._sorted_holidays, first)
        j = bisect.bisect_left(self._sorted_holidays, last)
        return total - (self._holiday_times[j] - self._holiday_times[i])

    def _calendar_time(self, start, end):
        "Return the business time from start to end, no pause counted"
        if end <= start:
            return ZERO
        first, last = start.date(), end.date()
        if first == last:
            return self._day_time(first, _offset(start.time()),
                _offset(end.time()))
        return (self._day_time(first, _offset(start.time()))
            + self._days_time(first + ONE_DAY, last)
            + self._day_time(last, end=_offset(end.time())))

    def _time(self, start, end, pauses):
        "Return the business time from start to end, pauses (merged) out"
        total = self._calendar_time(start, end)
        i = bisect.bisect_right(pauses, (start, start))
        for pause_start, pause_end in pauses[max(i - 1, 0):]:
            if pause_start >= end:
                break
            if pause_end > start:
                total -= self._calendar_time(
                    max(pause_start, start), min(pause_end, end))
        return total

    def add(self, start, duration, pauses=()):
        """Return the moment when `duration` of business time has run from
        start, the clock standing still during holidays and pauses"""
        if duration <= ZERO:
            return start
        pauses = _merge(pauses)
        first = start.date()

        def time_to(days):
            "The business time from start to the midnight days after first"
            return self._time(
                start, dt.datetime.combine(first + days * ONE_DAY, MIDNIGHT),
                pauses)

        # Any 7 x n days in a row hold at most n weeks of business time:
        # the deadline is beyond low, where less than duration has run
        low = 7 * max(-(-duration // self._week) - 1, 0)
        walked = time_to(low)
        while duration - walked > self._week:
            weeks = -(-(duration - walked) // self._week) - 1
            low += 7 * weeks
            walked = time_to(low)
        # Then beyond high, found doubling, and bisected in between
        step = 7
        while time_to(low + step) < duration:
            low += step
            step *= 2
        high = low + step
        while high - low > 1:
            middle = (low + high) // 2
            if time_to(middle) < duration:
                low = middle
            else:
                high = middle
        # The deadline is on the day after low
        date = first + low * ONE_DAY
        moment = max(start, dt.datetime.combine(date, MIDNIGHT))
        remaining = duration - time_to(low)
        for begin, end in self._day_intervals(date, moment, pauses):
            if end - begin >= remaining:
                return begin + remaining
            remaining -= end - begin
        raise AssertionError("the deadline is not on the day found")

    def elapsed(self, start, end, pauses=()):
        "Return the business time between start and end, pauses excluded"
        if end <= start:
            return ZERO
        return self._time(start, end, _merge(pauses))

    def add_working_days(self, start, days, pauses=()):
        """Return the deadline `days` working days after start

        The count starts at the first business moment from start and aims at
        the same time of day (kept within that day's opening hours); the
        deadline is when the business time up to that aim has run, the
        pauses not counted.  From a day's opening, one working day is due at
        that day's closing time.
        """
        if days <= 0:
            return start
        first = self.add(start, MINUTE_EPSILON) - MINUTE_EPSILON
        date = first.date()
        count = 0
        while count < days:
            date += ONE_DAY
            if self.is_working_day(date):
                count += 1
        periods = self.periods(date)
        target = dt.datetime.combine(date, first.time())
        target = min(max(target, periods[0][0]), periods[-1][1])
        return self.add(start, self.elapsed(start, target), pauses)
