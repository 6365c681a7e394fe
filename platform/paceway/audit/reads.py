"""Reads of health data are audited where they happen: in the selector, not in the view.

``@audited_read(action)`` wraps a selector that takes keyword-only ``viewer`` and (for one
patient's data) ``patient``: the read and its audit event run in one transaction, so health data
never leaves a selector without its record, and a view only parses, calls and renders.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from typing import Any, ParamSpec, TypeVar

from django.db import transaction

from .services import audit

P = ParamSpec("P")
R = TypeVar("R")


def audited_read(
    action: str,
    *,
    obj: Callable[[Any], Any] | None = None,
    obj_arg: str = "",
    each: Callable[[Any], Iterable[Any]] | None = None,
    object_type: str = "",
) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """``obj(result)`` or the keyword argument ``obj_arg`` names the object read (one event);
    ``each(result)`` yields the objects of a list read, one event per object for the patient it
    belongs to (``object.patient``)."""

    def decorate(read: Callable[P, R]) -> Callable[P, R]:
        @functools.wraps(read)
        def audited(*args: P.args, **kwargs: P.kwargs) -> R:
            viewer, patient = kwargs["viewer"], kwargs.get("patient")
            with transaction.atomic():
                result = read(*args, **kwargs)
                if each is not None:
                    for item in each(result):
                        audit(actor=viewer, action=action, patient=item.patient, obj=item, savepoint=False)
                else:
                    read_object = kwargs[obj_arg] if obj_arg else obj(result) if obj is not None else None
                    audit(
                        actor=viewer,
                        action=action,
                        patient=patient,
                        obj=read_object,
                        object_type=object_type,
                        savepoint=False,  # inside our own transaction: no nested savepoint
                    )
            return result

        return audited

    return decorate
