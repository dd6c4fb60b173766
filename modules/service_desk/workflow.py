# This file is part of the service modules for Tryton.
# The COPYRIGHT file at the top level of this repository contains the full
# copyright notices and license terms.
from functools import wraps


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
