"""The coordinator's forms (issue 17, item 8): the error summary says which row, fields in error carry a mark and
their ARIA links, dates and times say their format, and the time-zone list is grouped and readable."""

from __future__ import annotations

import re

from service.models import Group
from tests.coordinator_helpers import error_summary_links, group_form
from tests.factories import make_group


def _summary(page: str) -> list[str]:
    return re.findall(r'<li><a href="#[^"]+">([^<]+)</a></li>', page)


def test_the_error_summary_names_the_row_of_each_member_message(signed_in):
    data = group_form(members=5)
    data["members-2-display_name"] = ""
    data["members-4-email"] = "pas-une-adresse"
    response = signed_in.post("/coordination/groupes/nouveau", data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert error_summary_links(page) == ["members-2-display_name", "members-4-email"]
    summary = _summary(page)
    assert summary[0] == "Personne 3 : Indiquez le nom de cette personne."
    assert summary[1].startswith("Personne 5 : Cette adresse courriel n’est pas valide")
    # Next to the field itself the row is already its legend: the message stays short there.
    assert '<p class="field-error" id="members-2-display_name-error">Indiquez le nom de cette personne. </p>' in page
    field = re.search(r'<input[^>]*id="members-2-display_name"[^>]*>', page).group(0)
    assert 'aria-invalid="true"' in field and 'aria-describedby="members-2-display_name-error"' in field
    assert re.search(r'<div class="field field--error[^"]*">\s*<label for="members-2-display_name">', page)


def test_the_english_summary_names_the_row_too(signed_in):
    signed_in.get("/language/en")
    data = group_form(members=5)
    data["members-2-display_name"] = ""
    page = signed_in.post("/coordination/groupes/nouveau", data=data).get_data(as_text=True)
    assert _summary(page)[0] == "Person 3: Enter this person’s name."


def test_dates_and_times_are_text_fields_that_say_their_format(signed_in, actor):
    group = make_group(actor)
    page = signed_in.get(f"/coordination/groupes/{group.id}/planifier").get_data(as_text=True)
    date_input = re.search(r'<input[^>]*id="kickoff-starts_on"[^>]*>', page).group(0)
    time_input = re.search(r'<input[^>]*id="kickoff-at"[^>]*>', page).group(0)
    # No type=date/time: a browser's own picker would show mm/dd/yyyy or AM/PM beside « 18 h 30 ».
    assert 'type="text"' in date_input and 'type="text"' in time_input
    assert 'aria-describedby="kickoff-starts_on-hint kickoff-starts_on-error"' in date_input
    assert "Format AAAA-MM-JJ, par exemple 2027-03-16." in page
    assert "Sur 24 heures, par exemple 18 h 30." in page
    # « 18 h 30 » as the hint says is understood.
    response = signed_in.post(f"/coordination/groupes/{group.id}/planifier", data={
        "which": "kickoff", "kickoff-starts_on": "2030-03-19", "kickoff-at": "18 h 30",
        "kickoff-duration_minutes": "60"})
    assert response.status_code == 302


def test_the_time_zones_are_canada_first_then_other_zones_by_region_with_readable_names(signed_in):
    page = signed_in.get("/coordination/groupes/nouveau").get_data(as_text=True)
    select = re.search(r'<select[^>]*id="timezone".*?</select>', page, re.S).group(0)
    groups = re.findall(r'<optgroup label="([^"]+)">', select)
    assert groups == ["Canada", "Autres fuseaux"]
    assert '<option value="Europe/Paris">Europe — Paris</option>' in select
    assert '<option value="Africa/Cairo">Afrique — Le Caire</option>' in select
    assert 'value="US/Eastern"' not in select and 'value="Etc/GMT+5"' not in select
    others = select.split('label="Autres fuseaux"')[1]
    labels = re.findall(r'<option value="[^"]+">([^<]+)</option>', others)
    assert labels == sorted(labels, key=str.casefold) and len(labels) > 300
    assert all(" — " in label and "_" not in label for label in labels)


def test_the_english_time_zone_list_is_in_english(signed_in):
    signed_in.get("/language/en")  # first: the test's application context keeps the first language it computed
    english = signed_in.get("/coordination/groupes/nouveau").get_data(as_text=True)
    assert '<optgroup label="Other time zones">' in english
    assert '<option value="Africa/Cairo">Africa — Cairo</option>' in english


def test_a_group_whose_zone_is_an_alias_keeps_it_selected(signed_in, actor):
    group = make_group(actor)
    group.timezone = "US/Eastern"
    from service.extensions import db

    db.session.commit()
    page = signed_in.get(f"/coordination/groupes/{group.id}/modifier").get_data(as_text=True)
    assert '<option selected value="US/Eastern">US/Eastern</option>' in page
    assert db.session.get(Group, group.id).timezone == "US/Eastern"
