"""What each tailoring action does to one module of one patient's plan: a table of small
handlers (``HANDLERS``), so an action is one function and one line. Each handler changes the
plan in memory and returns the fields to save, or refuses with a ``ValidationError`` the
therapist reads."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

from django.core.exceptions import ValidationError
from django.db.models import Max
from django.utils.translation import gettext as _

from .models import ModuleKind, ModulePlan, TailoringAction


@dataclass(frozen=True)
class Change:
    plan: ModulePlan  # locked (select_for_update) by the caller
    note: str = ""

    @property
    def optional(self) -> bool:
        return self.plan.module.kind == ModuleKind.OPTIONAL


Handler = Callable[[Change], list[str]]


def _open_early(change: Change) -> list[str]:
    change.plan.open_early, change.plan.held = True, False
    return ["open_early", "held"]


def _hold(change: Change) -> list[str]:
    change.plan.held = True
    return ["held"]


def _release(change: Change) -> list[str]:
    if not change.plan.held:
        raise ValidationError(_("This module is not on hold."))
    change.plan.held = False
    return ["held"]


def _extend(change: Change) -> list[str]:
    change.plan.extra_days += 7
    return ["extra_days"]


def _include(change: Change, *, include: bool) -> list[str]:
    if not change.optional:
        raise ValidationError(_("Only optional modules can be added or taken out."))
    change.plan.included = include
    if not include:
        return ["included"]
    change.plan.position = last_position(change.plan.enrolment_id) + 10
    return ["included", "position"]


def _move(change: Change, *, up: bool) -> list[str]:
    """Swap places with the neighbouring module in the plan (saved here: two rows change)."""
    plan = change.plan
    if not change.optional or not plan.included:
        raise ValidationError(_("Only optional modules in the plan can be moved."))
    siblings = ModulePlan.objects.filter(enrolment_id=plan.enrolment_id, included=True)
    neighbour = (
        siblings.filter(position__lt=plan.position).order_by("-position").first()
        if up
        else siblings.filter(position__gt=plan.position).order_by("position").first()
    )
    if neighbour is None:
        raise ValidationError(_("This module cannot move further."))
    plan.position, neighbour.position = neighbour.position, plan.position
    ModulePlan.objects.filter(pk=plan.pk).update(position=plan.position)
    ModulePlan.objects.filter(pk=neighbour.pk).update(position=neighbour.position)
    return []


def _note(change: Change) -> list[str]:
    if not change.note.strip():
        raise ValidationError(_("Write the note."))
    change.plan.note = change.note.strip()
    return ["note"]


HANDLERS: dict[str, Handler] = {
    TailoringAction.OPEN_EARLY: _open_early,
    TailoringAction.HOLD: _hold,
    TailoringAction.RELEASE: _release,
    TailoringAction.EXTEND: _extend,
    TailoringAction.ADD: partial(_include, include=True),
    TailoringAction.SKIP: partial(_include, include=False),
    TailoringAction.MOVE_UP: partial(_move, up=True),
    TailoringAction.MOVE_DOWN: partial(_move, up=False),
    TailoringAction.NOTE: _note,
}


def last_position(enrolment_id: int) -> int:
    return ModulePlan.objects.filter(enrolment_id=enrolment_id, included=True).aggregate(p=Max("position"))["p"] or 0
