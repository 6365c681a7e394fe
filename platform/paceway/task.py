"""``@task(...)``: Celery's ``shared_task`` with the decorated function's signature kept for mypy.

Celery ships no types, so ``shared_task`` would make every task untyped; this keeps what the code
uses of a task (call it now, or ``delay`` it with ids) checked against the function it wraps.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Generic, ParamSpec, Protocol, TypeVar, cast

from celery import shared_task
from celery.result import AsyncResult

P = ParamSpec("P")
R = TypeVar("R", covariant=True)


class Task(Protocol, Generic[P, R]):
    """A registered Celery task: callable in process, or queued with the same arguments."""

    name: str

    def __call__(self, *args: P.args, **kwargs: P.kwargs) -> R: ...

    def delay(self, *args: P.args, **kwargs: P.kwargs) -> AsyncResult: ...


def task(**options: Any) -> Callable[[Callable[P, R]], Task[P, R]]:
    """Register ``fn`` as a shared task with ``options`` (acks_late, name, ...), unchanged."""

    def register(fn: Callable[P, R]) -> Task[P, R]:
        return cast(Task[P, R], shared_task(**options)(fn))

    return register
