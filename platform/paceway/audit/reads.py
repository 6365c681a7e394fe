"""Reads of health data are audited where they happen: in the selector, not in the view.

``@audited_read(action)`` wraps a selector that takes keyword-only ``viewer`` and (for one
patient's data) ``patient``: the read and its audit event run in one transaction, so health data
never leaves a selector without its record, and a view only parses, calls and renders.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, ParamSpec, TypeVar, cast

from django.db import transaction

from .services import audit

if TYPE_CHECKING:
    from django.db.models import Model

    from paceway.accounts.models import User

P = ParamSpec("P")
R = TypeVar("R")


def audited_read(
    action: str,
    *,
    obj: Callable[[Any], Model | None] | None = None,
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
            # A ParamSpec cannot require the keywords; every audited read takes these two.
            viewer = cast("User", kwargs["viewer"])
            patient = cast("User | None", kwargs.get("patient"))
            with transaction.atomic():
                result = read(*args, **kwargs)
                if each is not None:
                    for item in each(result):
                        audit(actor=viewer, action=action, patient=item.patient, obj=item, savepoint=False)
                else:
                    if obj_arg:
                        read_object = cast("Model | None", kwargs[obj_arg])
                    else:
                        read_object = obj(result) if obj is not None else None
                    audit(
                        actor=viewer,
                        action=action,
                        patient=patient,
                        obj=read_object,
                        object_type=object_type,
                        savepoint=False,
                    )
            return result

        return audited

    return decorate
