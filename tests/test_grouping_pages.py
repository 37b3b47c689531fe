"""The coordinator's page that proposes groups from the pool: without JavaScript (forms only), in both languages."""

from __future__ import annotations

import re

from sqlalchemy import select

from service.extensions import db
from service.models import Group, Member, Volunteer, VolunteerStatus
from tests.test_grouping_api import pool  # noqa: F401  (fixture)

URL = "/coordination/groupes/proposer"


def _form_of(page: str) -> dict[str, str]:
    """What a browser would send back: every hidden input, text input and the selected option of every select."""
    data = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', page))
    data.update(re.findall(r'<input type="text" id="[^"]+" name="([^"]+)" value="([^"]*)"', page))
    volunteers = re.findall(r'<input type="hidden" name="volunteer" value="(\d+)"', page)
    for select_name, body in re.findall(r'<select id="[^"]+" name="(group-\d+)"[^>]*>(.*?)</select>', page, re.S):
        chosen = re.search(r'<option value="([^"]*)" selected>', body)
        data[select_name] = chosen.group(1) if chosen else ""
    data["volunteer"] = volunteers
    return data


def test_the_page_proposes_shows_names_and_local_slots_never_addresses(signed_in, pool):
    page = signed_in.get(URL).get_data(as_text=True)
    assert "Proposer des groupes" in page and "13 volontaires disponibles" in page
    response = signed_in.post(URL, data={"action": "propose", "target_size": "6"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Urgence 0" in page and "Pédiatrie 3" in page and "@exemple.ca" not in page
    assert 'value="Pédiatrie 1"' in page and 'value="Urgence 1"' in page  # default names: team and number
    # Times written as everywhere else, and kept whole when the column wraps (non-breaking spaces).
    assert "mardi de 12\u00a0h\u00a000 à 13\u00a0h\u00a000" in page
    assert "jeudi de 8\u00a0h\u00a000 à 9\u00a0h\u00a000" in page
    assert "Règles respectées" in page and "Hors groupe" in page
    assert "Moins de quatre personnes disponibles parlent sa langue." in page


def test_the_page_speaks_english_one_click_away(signed_in, pool):
    # (The test's application context keeps the first language chosen: switch before any page.)
    signed_in.get("/language/en?next=/")
    english = signed_in.post(URL, data={"action": "propose"}).get_data(as_text=True)
    assert "Tuesday from 12:00" in english and "Fewer than four available people speak their language." in english


def test_moving_a_person_without_javascript_rechecks_the_rules_then_accepting_forms_the_groups(signed_in, pool):
    page = signed_in.post(URL, data={"action": "propose"}).get_data(as_text=True)
    data = _form_of(page)
    # The boss of the emergency team goes into their staff's group: the page says who and why.
    data[f"group-{pool['chef']}"] = data[f"group-{pool['u0']}"]
    data["action"] = "check"
    checked = signed_in.post(URL, data=data).get_data(as_text=True)
    assert "À corriger" in checked
    assert re.search(r"(Chef Urgence et Urgence \d|Urgence \d et Chef Urgence) ont un lien hiérarchique", checked)
    refused = signed_in.post(URL, data={**data, "action": "accept"})
    assert refused.status_code == 422 and db.session.execute(select(Group)).first() is None
    data[f"group-{pool['chef']}"] = ""
    data["action"] = "accept"
    response = signed_in.post(URL, data=data)
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    groups = db.session.execute(select(Group)).scalars().all()
    assert sorted(len(group.active_members) for group in groups) == [4, 5]
    placed = db.session.execute(select(Member.volunteer_id)).scalars().all()
    assert {db.session.get(Volunteer, i).status for i in placed} == {VolunteerStatus.IN_GROUP}
    assert db.session.get(Volunteer, pool["chef"]).status is VolunteerStatus.AVAILABLE


def test_the_fragment_the_script_asks_for_is_the_proposal_alone(signed_in, pool):
    data = _form_of(signed_in.post(URL, data={"action": "propose"}).get_data(as_text=True))
    data["action"] = "check"
    fragment = signed_in.post(URL, data=data, headers={"X-Fragment": "proposal"}).get_data(as_text=True)
    assert "<html" not in fragment and "data-grouping-status" in fragment
