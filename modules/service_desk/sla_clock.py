# This file is part of the service modules for Tryton.
# The COPYRIGHT file at the top level of this repository contains the full
# copyright notices and license terms.
"""The SLA clock: business time on a weekly calendar.

Pure logic, no ORM.  All datetimes are naive and in the calendar's own time
zone; the caller converts.  Every computation walks the calendar day by day
(never minute by minute), so its cost grows with the number of days spanned
plus the number of pauses.
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
        # Any seven days in a row from a midnight hold each weekday once
        self._week = sum(
            (end - start for r in self._ranges.values() for start, end in r),
            ZERO)

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

    def _free_week(self, midnight, pauses):
        "Tell if the seven days from midnight have no holiday and no pause"
        end = midnight + 7 * ONE_DAY
        i = bisect.bisect_left(self._sorted_holidays, midnight.date())
        if (i < len(self._sorted_holidays)
                and self._sorted_holidays[i] < end.date()):
            return False
        i = bisect.bisect_right(pauses, (midnight, midnight))
        for pause_start, pause_end in pauses[max(i - 1, 0):]:
            if pause_start >= end:
                break
            if pause_end > midnight:
                return False
        return True

    def _walk(self, start, pauses, budget=None, until=None):
        """Walk business time from start: stop when budget is used up or at
        until; return the moment reached and the business time walked

        Whole weeks free of holidays and pauses are jumped at once, the
        other days are walked one at a time."""
        walked = ZERO
        date = start.date()
        moment = start
        while True:
            midnight = dt.datetime.combine(date, MIDNIGHT)
            while (moment == midnight
                    and (budget is None or budget - walked > self._week)
                    and (until is None or midnight + 7 * ONE_DAY <= until)
                    and self._free_week(midnight, pauses)):
                walked += self._week
                date += 7 * ONE_DAY
                midnight = moment = dt.datetime.combine(date, MIDNIGHT)
            for begin, end in self._day_intervals(date, moment, pauses):
                if until is not None:
                    if begin >= until:
                        return until, walked
                    end = min(end, until)
                if budget is not None and end - begin >= budget - walked:
                    return begin + (budget - walked), budget
                walked += end - begin
                if until is not None and end >= until:
                    return until, walked
            date += ONE_DAY
            moment = dt.datetime.combine(date, MIDNIGHT)
            if until is not None and moment >= until:
                return until, walked

    def add(self, start, duration, pauses=()):
        """Return the moment when `duration` of business time has run from
        start, the clock standing still during holidays and pauses"""
        if duration <= ZERO:
            return start
        moment, _ = self._walk(start, _merge(pauses), budget=duration)
        return moment

    def elapsed(self, start, end, pauses=()):
        "Return the business time between start and end, pauses excluded"
        if end <= start:
            return ZERO
        _, walked = self._walk(start, _merge(pauses), until=end)
        return walked

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
