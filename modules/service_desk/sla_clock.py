# This file is part of the service modules for Tryton.
# The COPYRIGHT file at the top level of this repository contains the full
# copyright notices and license terms.
"""The SLA clock: business time on a weekly calendar.

Pure logic, no ORM.  All datetimes are naive and in the calendar's own time
zone; the caller converts.  Every computation walks the calendar day by day
(never minute by minute), so its cost grows with the number of days spanned
plus the number of pauses.
"""
import datetime as dt

MIDNIGHT = dt.time(0)
ONE_DAY = dt.timedelta(days=1)
ZERO = dt.timedelta(0)


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

    def _intervals(self, start, pauses=()):
        "Yield the business intervals from start on, with pauses cut out"
        pauses = _merge(pauses)
        i = 0
        date = start.date()
        while True:
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
                        yield begin, pause_start
                    begin = max(begin, pause_end)
                    if pause_end >= end:
                        break
                    j += 1
                if begin < end:
                    yield begin, end
            date += ONE_DAY

    def add(self, start, duration, pauses=()):
        """Return the moment when `duration` of business time has run from
        start, the clock standing still during holidays and pauses"""
        if duration <= ZERO:
            return start
        remaining = duration
        for begin, end in self._intervals(start, pauses):
            if end - begin >= remaining:
                return begin + remaining
            remaining -= end - begin

    def elapsed(self, start, end, pauses=()):
        "Return the business time between start and end, pauses excluded"
        total = ZERO
        if end <= start:
            return total
        for begin, stop in self._intervals(start, pauses):
            if begin >= end:
                break
            total += min(stop, end) - begin
            if stop >= end:
                break
        return total

    def add_working_days(self, start, days, pauses=()):
        """Return the deadline `days` working days after start

        The count starts at the first business moment from start and lands
        at the same time of day (kept within that day's opening hours); the
        business time this spans is then counted with the pauses.
        """
        if days <= 0:
            return start
        first = next(self._intervals(start))[0]
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
