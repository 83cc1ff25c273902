"""Checks of the records a public method is called on, for the external API.

Over XML-RPC and JSON-RPC the ids of ``execute_kw`` become the recordset as given: an
empty list, ids that do not exist or are not numbers reach the method. A method of the
external API checks them first, so bad input gets a ``UserError`` naming what is wrong
(a clear fault) instead of an error deep in the ORM or in SQL, and nothing is done.
"""

import functools

from odoo.api import NewId
from odoo.exceptions import UserError


def check_records(records, method, single=False, required=True, exist=True):
    """Raise a ``UserError`` unless ``records`` are given by whole-number ids: at least one
    when ``required``, exactly one when ``single``, all existing when ``exist``."""
    env = records.env
    wrong = [value for value in records._ids if isinstance(value, bool) or not isinstance(value, int | NewId)]
    if wrong:
        raise UserError(
            env._(
                "%(method)s is called on %(model)s ids, whole numbers: %(values)s are not.",
                method=method,
                model=records._name,
                values=", ".join(repr(value) for value in wrong),
            )
        )
    if single and len(records) != 1:
        raise UserError(
            env._(
                "%(method)s is called on one %(model)s at a time, not %(count)s.",
                method=method,
                model=records._name,
                count=len(records),
            )
        )
    if required and not records:
        raise UserError(env._("%(method)s needs at least one %(model)s id.", method=method, model=records._name))
    missing = records - records.exists() if exist else records.browse()
    if missing:
        raise UserError(
            env._(
                "These %(model)s records do not exist: %(ids)s",
                model=records._name,
                ids=", ".join(str(record_id) for record_id in missing.ids),
            )
        )


def public(single=False, access=None):
    """Decorate a method of the external API: its records are checked by
    :func:`check_records` (``single``: exactly one) and, with ``access`` (``"write"``...),
    the caller's access to them, before it runs: a user who may not do it is told so
    before anything about the records."""

    def decorate(method):
        @functools.wraps(method)
        def checked(self, *args, **kwargs):
            check_records(self, f"{self._name}.{method.__name__}", single=single)
            if access:
                self.check_access(access)
            return method(self, *args, **kwargs)

        return checked

    return decorate
