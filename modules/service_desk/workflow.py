# This file is part of the service modules for Tryton.
# The COPYRIGHT file at the top level of this repository contains the full
# copyright notices and license terms.
from functools import wraps

from trytond.i18n import gettext


def checked_transition(state):
    """Refuse, with the model's message, the records that cannot go to state

    Workflow.transition alone silently skips them.  Put it above
    Workflow.transition; the model defines check_transition(records, state).
    """
    def decorator(func):
        @wraps(func)
        def wrapper(cls, records, *args, **kwargs):
            cls.check_transition(records, state)
            return func(cls, records, *args, **kwargs)
        return wrapper
    return decorator


def refuse_transitions(cls, records, state, error, message, name):
    """Raise error with message for the first record that cannot go from its
    state to state; the message gets the record as name, its state and the
    target state as they are shown"""
    selection = None
    for record in records:
        if (record.state, state) not in cls._transitions:
            if selection is None:
                selection = dict(
                    cls.fields_get(['state'])['state']['selection'])
            raise error(gettext(message, **{
                        name: record.rec_name,
                        'state': selection[record.state],
                        'target': selection[state],
                        }))
