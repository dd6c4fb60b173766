# This file is part of the service modules for Tryton.
# The COPYRIGHT file at the top level of this repository contains the full
# copyright notices and license terms.
"""A call made in this process as trytond's RPC dispatcher makes it.

The loop of ``trytond.protocols.dispatcher._dispatch``: a transaction of its
own started for the user, the arguments converted by the method's ``RPC``
(so that access is checked as for a client), restarted when the code asks
for a lock it does not hold yet (``Model.lock`` raises a TransactionError
and the transaction starts again taking the lock first), and retried on
DatabaseOperationalError (a row lock held by another transaction, or a
serialization failure) up to ``[database] retry`` times.  Used by the role
test (rolled back) and the concurrency tests (committed)."""
import time


def dispatch(database, user, name, method, *args, type='model',
        context=None, commit=True, before=None, restarted=None,
        default_rpc=None):
    """Return method of the model (or wizard) name called by user with args

    before() runs in the first attempt's transaction just ahead of the
    method, restarted() each time the transaction starts again; a method
    not in __rpc__ is refused unless default_rpc is given."""
    import trytond.config as config
    from trytond import backend
    from trytond.pool import Pool
    from trytond.transaction import Transaction, TransactionError

    obj = Pool(database).get(name, type=type)
    rpc = obj.__rpc__.get(method, default_rpc)
    if rpc is None:
        raise KeyError(f"{name}.{method} is not callable")
    retry = config.getint('database', 'retry')
    count, extras = 0, {}
    while True:
        if count:
            time.sleep(0.02 * count)
        with Transaction().start(database, user, readonly=rpc.readonly,
                timeout=rpc.timeout, **extras) as transaction:
            try:
                c_args, c_kwargs, transaction.context, _ = rpc.convert(
                    obj, *args, context or {})
                if before:
                    before, first = None, before
                    first()
                result = _call(obj, method, rpc, c_args, c_kwargs)
            except TransactionError as exception:
                transaction.rollback()
                transaction.tasks.clear()
                exception.fix(extras)
            except backend.DatabaseOperationalError:
                if count >= retry or rpc.readonly:
                    raise
                transaction.rollback()
                transaction.tasks.clear()
                count += 1
            else:
                if commit:
                    transaction.commit()
                else:
                    transaction.rollback()
                return result
        if restarted:
            restarted()


def _call(obj, method, rpc, args, kwargs):
    "Call the method on the class or on the instances, as the dispatcher"
    from trytond.tools import is_instance_method
    meth = rpc.decorate(getattr(obj, method))
    if rpc.instantiate is None or not is_instance_method(obj, method):
        return rpc.result(meth(*args, **kwargs))
    inst = args.pop(0)
    if hasattr(inst, method):
        return rpc.result(meth(inst, *args, **kwargs))
    return [rpc.result(meth(i, *args, **kwargs)) for i in inst]
