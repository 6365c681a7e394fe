"""Corrections (PHIPA): the patient asks; a clinician on the care team accepts (an amendment, the
original kept) or refuses with reasons; after a refusal the patient's statement of disagreement
travels with the item; deadlines are shown."""

from __future__ import annotations

import json
from datetime import timedelta

from modules.program.models import ExerciseEntry
from modules.record.models import CorrectionRequest
from paceway.audit.models import AuditEvent

from .conftest import DIARY

ITEM = "Diary entry of 6 January"
ASK = "Pain was 4, not 6: I mistyped."


def _ask(client) -> CorrectionRequest:
    assert client.post("/record/corrections/", {"item": ITEM, "correction": ASK}).status_code == 302
    return CorrectionRequest.objects.get()


def test_an_accepted_correction_adds_an_amendment_and_keeps_the_original(
    clients, full_record, mailoutbox, django_capture_on_commit_callbacks
):
    diary_before = ExerciseEntry.objects.get(patient=full_record, kind="pain_diary").data
    with django_capture_on_commit_callbacks(execute=True):
        request = _ask(clients["patient"])
    assert request.due_at - request.requested_at == timedelta(days=30)
    [message] = mailoutbox
    assert message.to == ["t1@example.org"] and ASK not in message.body
    page = clients["patient"].get("/record/corrections/").content.decode()
    assert "answer due by" in page and ASK in page

    therapist = clients["therapist"]
    assert ITEM in therapist.get("/record/corrections/to-answer/").content.decode()
    response = therapist.post(
        f"/record/corrections/{request.pk}/answer/", {"action": "accept", "text": "Pain on 6 January was 4/10."}
    )
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.status == "accepted" and request.decided_by.email == "t1@example.org"
    assert ExerciseEntry.objects.get(patient=full_record, kind="pain_diary").data == diary_before  # original kept
    record = json.loads(clients["patient"].get("/record/export.json").content)
    [exported] = record["corrections"]
    assert exported["status"] == "accepted" and exported["amendment"] == "Pain on 6 January was 4/10."
    assert {e["data"]["pain"] for e in record["exercises"] if e["kind"] == "pain_diary"} == {DIARY["pain"]}
    actions = set(AuditEvent.objects.filter(patient_id=full_record.pk).values_list("action", flat=True))
    assert {"record.correction.request", "record.correction.accept"} <= actions


def test_a_refusal_has_reasons_and_the_patient_may_disagree(clients, full_record):
    request = _ask(clients["patient"])
    therapist = clients["therapist"]
    assert (
        therapist.post(f"/record/corrections/{request.pk}/answer/", {"action": "refuse", "text": ""}).status_code == 400
    )
    therapist.post(
        f"/record/corrections/{request.pk}/answer/",
        {"action": "refuse", "text": "The entry matches what you typed that day."},
    )
    request.refresh_from_db()
    assert request.status == "refused"
    patient = clients["patient"]
    assert (
        patient.post(f"/record/corrections/{request.pk}/disagree/", {"statement": "I typed it wrong."}).status_code
        == 302
    )
    record = json.loads(patient.get("/record/export.json").content)
    [exported] = record["corrections"]
    assert exported["refusal_reason"].startswith("The entry matches")
    assert exported["disagreement"] == "I typed it wrong."
    assert "I typed it wrong." in patient.get("/record/export/").content.decode()
    # Answered once only.
    therapist.post(f"/record/corrections/{request.pk}/answer/", {"action": "accept", "text": "changed my mind"})
    request.refresh_from_db()
    assert request.status == "refused"


def test_no_disagreement_before_a_refusal(clients, full_record):
    request = _ask(clients["patient"])
    clients["patient"].post(f"/record/corrections/{request.pk}/disagree/", {"statement": "too early"})
    request.refresh_from_db()
    assert request.disagreement == ""


def test_people_outside_the_care_team_cannot_see_or_answer(clients, full_record):
    request = _ask(clients["patient"])
    for who in ("unassigned_therapist", "admin", "stranger"):
        client = clients[who]
        assert client.get(f"/record/corrections/{request.pk}/answer/").status_code == 404, who
        assert (
            client.post(f"/record/corrections/{request.pk}/answer/", {"action": "accept", "text": "x"}).status_code
            == 404
        ), who
    assert (
        clients["stranger"].post(f"/record/corrections/{request.pk}/disagree/", {"statement": "x"}).status_code == 404
    )
    assert ITEM not in clients["unassigned_therapist"].get("/record/corrections/to-answer/").content.decode()
    assert clients["patient"].get("/record/corrections/to-answer/").status_code == 404
    request.refresh_from_db()
    assert request.status == "open"


def _items(record: dict, key: str) -> list[dict]:
    return record["messages"]["items"] if key == "messages" else record[key]


def test_a_correction_names_one_item_and_a_disagreement_travels_with_it(clients, full_record, personas):
    from modules.outcomes.contact import save_contact_details
    from modules.outcomes.models import ContactDetails, QuestionnaireResponse
    from tests.record.test_export import _pdf_text

    p = full_record
    save_contact_details(
        actor=p,
        patient=p,
        data={
            "phone": "416-555-0100",
            "emergency_name": "Sam",
            "emergency_relationship": "partner",
            "emergency_phone": "416-555-0101",
            "province": "ON",
        },
    )
    patient, therapist = clients["patient"], clients["therapist"]
    diary = ExerciseEntry.objects.get(patient=p, kind="pain_diary")
    response = QuestionnaireResponse.objects.filter(patient=p).first()
    contact = ContactDetails.objects.filter(patient=p).order_by("-pk").first()  # the latest version
    assert contact is not None
    form = patient.get(f"/record/corrections/?about=exercise:{diary.pk}").content.decode()
    assert f'value="exercise:{diary.pk}" selected' in form
    cases = [
        ("exercise", diary.pk, "exercises", "id"),
        ("questionnaire", response.pk, "questionnaires", "id"),
        ("message", 1, "messages", "seq"),
        ("contact", contact.pk, "contact_details", "id"),
    ]
    for kind, item_id, _key, _id in cases:
        answer = patient.post(
            "/record/corrections/", {"about": f"{kind}:{item_id}", "correction": f"Wrong {kind}, please fix."}
        )
        assert answer.status_code == 302, kind
    for request in CorrectionRequest.objects.all():
        assert request.item  # named for the clinician from the item itself
        therapist.post(
            f"/record/corrections/{request.pk}/answer/", {"action": "refuse", "text": f"Kept as is ({request.pk})."}
        )
        patient.post(f"/record/corrections/{request.pk}/disagree/", {"statement": f"I disagree ({request.item_kind})."})
    record = json.loads(patient.get("/record/export.json").content)
    for kind, item_id, key, id_key in cases:
        [item] = [i for i in _items(record, key) if i[id_key] == item_id]
        [attached] = item["corrections"]
        assert attached["disagreement"] == f"I disagree ({kind})." and attached["item_kind"] == kind
        others = [i for i in _items(record, key) if i[id_key] != item_id]
        assert all(not i["corrections"] for i in others), kind
    page = patient.get("/record/export/").content.decode()
    diary_section = page[page.index(DIARY["notes"]) :]
    assert diary_section.index("I disagree (exercise).") < diary_section.index("Questionnaires and scores")
    pdf = " ".join(_pdf_text(patient.get("/record/export.pdf").content).split())
    assert pdf.index(DIARY["notes"]) < pdf.index("I disagree (exercise).") < pdf.index("Questionnaires and scores")


def test_a_correction_cannot_name_another_patients_item(clients, full_record, personas):
    from modules.program import services as program_services

    theirs = program_services.create_entry(
        actor=personas.stranger, patient=personas.stranger, kind="pain_diary", data=DIARY
    )
    response = clients["patient"].post(
        "/record/corrections/", {"about": f"exercise:{theirs.pk}", "correction": "Not mine to ask."}
    )
    assert response.status_code == 400
    assert not CorrectionRequest.objects.exists()
    nothing = clients["patient"].post("/record/corrections/", {"about": "other:", "correction": "No item named."})
    assert nothing.status_code == 400 and not CorrectionRequest.objects.exists()
