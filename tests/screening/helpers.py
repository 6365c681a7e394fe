from __future__ import annotations

from typing import Any

from modules.outcomes.instruments import GAD7, PEG, PHQ9, RISK_ITEM

PHQ_CODES = [i.code for i in PHQ9.items if i.scored]
GAD_CODES = [i.code for i in GAD7.items]
PEG_CODES = [i.code for i in PEG.items]


# The intake's contact step (fictional numbers, 555-01xx).
CONTACT = {
    "contact-preferred_name": "Pat",
    "contact-phone": "416-555-0142",
    "contact-voicemail_ok": "on",
    "contact-safe_times": "Weekdays after 4 pm",
    "contact-emergency_name": "Ada Okafor",
    "contact-emergency_relationship": "sister",
    "contact-emergency_phone": "647-555-0177",
    "contact-physician_name": "Dr. Rivera",
    "contact-physician_clinic": "Bloor West Family Health Team",
    "contact-province": "ON",
}


def intake_data(**overrides: Any) -> dict[str, Any]:
    """A complete, unremarkable intake (answers + baseline questionnaires) as POST data."""
    data: dict[str, Any] = {
        "pain_three_months": "yes",
        "pain_duration_months": "24",
        "pain_condition": "Fibromyalgia",
        "care_family_doctor": "on",
        "care_physiotherapy": "on",
        "device_access": "yes",
        "tech_comfort": "4",
        "weekly_minutes": "120",
        "prefers_in_person": "no",
        "readiness": "5",
        "language": "en",
        **CONTACT,
    }
    data.update(dict(zip(PEG_CODES, ["6", "5", "5"], strict=True)))
    data.update(dict(zip(PHQ_CODES, ["1", "1", "1", "1", "0", "0", "1", "0", "0"], strict=True)))
    data.update(dict(zip(GAD_CODES, ["1", "1", "1", "0", "0", "1", "0"], strict=True)))
    for key, value in overrides.items():
        if value is None:
            data.pop(key, None)
        else:
            data[key] = value
    return data


def with_item9(value: int, **overrides: Any) -> dict[str, Any]:
    return intake_data(**{RISK_ITEM: str(value)}, **overrides)


def answer_pairs(data: dict[str, Any]) -> list[tuple[str, Any]]:
    return list(data.items())


def decision_data(decision: str = "accept", **overrides: str) -> dict[str, str]:
    data = {
        "decision": decision,
        "rationale": "Chronic pain, good access, motivated; discussed by phone.",
        "goals_and_preferences": "Wants to walk to the park again; prefers to work online in the evenings.",
        "explanation": "We agreed together that the online program is a good fit for you now.",
    }
    data.update(overrides)
    return data
