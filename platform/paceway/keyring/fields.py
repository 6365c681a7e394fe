"""Model fields whose values are sealed under the owning patient's data key.

In Python the field holds plain text (``SealedTextField``) or JSON data (``SealedJSONField``);
in the database it holds ``VERSION + data key id (16 bytes) + AES-GCM ciphertext``, bound to the
table, the column and the key. Sealing happens in ``pre_save`` (the row's ``owner`` attribute,
e.g. ``patient_id``, names whose key); opening happens when the row is loaded. So a row is
written with ``save()`` or ``bulk_create()``, never ``QuerySet.update()``, and the column cannot
be searched. Once the patient's key is destroyed (``services.destroy_patient_key``) every copy
of these values, wherever it went, is noise.
"""

from __future__ import annotations

import json
import uuid
from typing import Any, TypeVar

from django.db import models

from .crypto import DecryptionError, seal, unseal

VERSION = b"\x01"

# What a model's attribute takes (set) and holds (get): the plaintext, never the sealed bytes.
_ST = TypeVar("_ST")
_GT = TypeVar("_GT")


class _SealedField(models.BinaryField[_ST, _GT]):
    def __init__(self, *args: Any, owner: str = "patient_id", **kwargs: Any) -> None:
        self.owner = owner
        kwargs.setdefault("editable", True)
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        if self.owner != "patient_id":
            kwargs["owner"] = self.owner
        kwargs.pop("editable", None)
        return name, path, args, kwargs

    # What the subclasses say about their plaintext.
    def to_bytes(self, value: Any) -> bytes:
        raise NotImplementedError

    def from_bytes(self, value: bytes) -> Any:
        raise NotImplementedError

    def _context(self, key_id: uuid.UUID) -> bytes:
        return f"paceway-sealed|{self.model._meta.label_lower}.{self.attname}|{key_id}".encode()

    def pre_save(self, model_instance: models.Model, add: bool) -> Any:
        from .services import key_material, patient_data_key

        value = getattr(model_instance, self.attname)
        if value is None:
            return None
        data_key = patient_data_key(getattr(model_instance, self.owner))
        sealed = seal(key_material(data_key.pk), self.to_bytes(value), self._context(data_key.pk))
        return VERSION + data_key.pk.bytes + sealed

    def get_db_prep_value(self, value: Any, connection: Any, prepared: bool = False) -> Any:
        if value is not None and not isinstance(value, bytes | memoryview):
            raise TypeError(f"{self.name} is sealed: write it with save(), not update() or a filter")
        return super().get_db_prep_value(value, connection, prepared)

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Any:
        if value is None:
            return None
        return self.from_bytes(open_sealed(self, bytes(value)))

    def to_python(self, value: Any) -> Any:
        return value

    def value_to_string(self, obj: models.Model) -> str:
        return json.dumps(self.value_from_object(obj))

    def formfield(self, form_class: Any = None, choices_form_class: Any = None, **kwargs: Any) -> Any:
        return None  # forms name their own fields (these are never edited as bytes)


def open_sealed(field: _SealedField[Any, Any], raw: bytes) -> bytes:
    """The plaintext bytes of a stored value; ``DecryptionError`` once its key is destroyed."""
    from .services import key_material

    if raw[:1] != VERSION or len(raw) < 17:
        raise DecryptionError("not a sealed value")
    key_id = uuid.UUID(bytes=raw[1:17])
    return unseal(key_material(key_id), raw[17:], field._context(key_id))


class SealedTextField(_SealedField[str | None, str | None]):
    """Free text sealed under the owner's key (``max_length`` is checked on the plaintext)."""

    def __init__(self, *args: Any, max_length: int | None = None, **kwargs: Any) -> None:
        self.text_max_length = max_length
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        if self.text_max_length is not None:
            kwargs["max_length"] = self.text_max_length
        return name, path, args, kwargs

    def get_default(self) -> Any:
        return "" if not self.null else None

    def to_bytes(self, value: Any) -> bytes:
        return str(value).encode()

    def from_bytes(self, value: bytes) -> Any:
        return value.decode()

    def formfield(self, form_class: Any = None, choices_form_class: Any = None, **kwargs: Any) -> Any:
        from django import forms

        return models.Field.formfield(
            self, **{"form_class": forms.CharField, "max_length": self.text_max_length, **kwargs}
        )

    def validate(self, value: Any, model_instance: Any) -> None:
        from django.core.exceptions import ValidationError

        if self.text_max_length is not None and value is not None and len(str(value)) > self.text_max_length:
            raise ValidationError(f"At most {self.text_max_length} characters.")


class SealedJSONField(_SealedField[Any, Any]):
    """JSON data (e.g. an exercise's answers) sealed under the owner's key."""

    def to_bytes(self, value: Any) -> bytes:
        return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()

    def from_bytes(self, value: bytes) -> Any:
        return json.loads(value)
