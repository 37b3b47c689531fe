"""The coordinator's pages for the organisation's settings and the pool of volunteers."""

from __future__ import annotations

import io
import re

import pytest
from sqlalchemy import func, select

from service.extensions import db
from service.models import Organisation, Volunteer, VolunteerStatus
from tests.coordinator_helpers import log_in


@pytest.fixture
def signed_in(client):
    log_in(client)
    return client


def settings_form(**changes) -> dict:
    data = {"name": "CISSS de l’Exemple", "timezone": "America/Toronto", "signup_domains": "exemple.ca\nsante.exemple.ca",
            "teams": "urgence | Urgence | Emergency\npediatrie | Pédiatrie | Paediatrics",
            "privacy_officer_name": "Me Line Gagnon", "privacy_officer_contact": "vie.privee@exemple.ca",
            "resources_fr": "PAE | 1-800-555-0100 | 24 h sur 24", "resources_en": "EAP | 1-800-555-0100",
            "working_days": ["1", "2", "3", "4"], "working_start": "07:30", "working_end": "16:00",
            "moderator_load_threshold": "4"}
    data.update(changes)
    return data


def test_the_moderator_load_threshold_is_set_from_either_page_and_each_links_to_the_other(signed_in):
    settings = signed_in.get("/coordination/organisation").get_data(as_text=True)
    assert 'name="moderator_load_threshold"' in settings and 'value="4"' in settings
    assert 'href="/coordination/soutien"' in settings
    support = signed_in.get("/coordination/soutien").get_data(as_text=True)
    assert 'href="/coordination/organisation#soutien"' in support

    assert signed_in.post("/coordination/organisation", data=settings_form(moderator_load_threshold="7")).status_code \
        == 302
    db.session.expire_all()
    assert db.session.execute(select(Organisation.moderator_load_threshold)).scalar_one() == 7
    assert 'value="7"' in signed_in.get("/coordination/soutien").get_data(as_text=True)

    refused = signed_in.post("/coordination/organisation", data=settings_form(moderator_load_threshold="0",
                                                                             name="Autre nom"))
    assert refused.status_code == 422 and "Indiquez un nombre de 1 à 30." in refused.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.execute(select(Organisation.moderator_load_threshold)).scalar_one() == 7


@pytest.mark.parametrize("language", ["fr", "en"])
def test_each_programme_menu_entry_is_named_as_the_page_it_opens(signed_in, language):
    from flask_babel import refresh

    refresh()  # the test's app context outlives each request: forget the locale flask-babel cached in it
    page = signed_in.get(f"/coordination/?lang={language}").get_data(as_text=True)
    menu = re.search(r'<div class="nav-menu__links">(.*?)</div>', page, re.S).group(1)
    entries = re.findall(r'<a href="([^"]+)">([^<]+)</a>', menu)
    assert len(entries) == 4
    for href, label in entries:
        target = signed_in.get(href).get_data(as_text=True)
        heading = re.search(r"<h1>([^<]+)</h1>", target).group(1).strip()
        title = re.search(r"<title>([^<]+)</title>", target).group(1).split(" · ")[0].strip()
        assert label == heading == title, href


def test_the_volunteers_page_keeps_to_the_headers_column_like_every_coordinator_page(signed_in):
    page = signed_in.get("/coordination/volontaires").get_data(as_text=True)
    assert '<main id="main" class="page"' in page
    assert "Disponible : 0" in page and "En attente de confirmation : 0" in page  # the label, then the count


def test_the_organisation_settings_page_saves_everything_or_names_what_is_wrong(signed_in):
    page = signed_in.get("/coordination/organisation")
    assert page.status_code == 200 and "Paramètres de l’organisation" in page.get_data(as_text=True)
    saved = signed_in.post("/coordination/organisation", data=settings_form())
    assert saved.status_code == 302
    organisation = db.session.execute(select(Organisation)).scalar_one()
    assert organisation.signup_domains == ["exemple.ca", "sante.exemple.ca"]
    assert organisation.teams[1] == {"key": "pediatrie", "name_fr": "Pédiatrie", "name_en": "Paediatrics"}
    assert organisation.support_resources["fr"] == [{"name": "PAE", "contact": "1-800-555-0100",
                                                     "detail": "24 h sur 24"}]
    assert organisation.working_hours == {"weekdays": [1, 2, 3, 4], "start": "07:30", "end": "16:00"}

    refused = signed_in.post("/coordination/organisation", data=settings_form(
        name="Autre nom", signup_domains="exemple.ca\n@@ pas bon", teams="Urgence Générale | Urgence | Emergency",
        working_start="18:00"))
    assert refused.status_code == 422
    text = refused.get_data(as_text=True)
    assert "n’est pas un domaine de courriel" in text and "Le code d’une équipe" in text
    assert "La fin des heures de travail doit suivre leur début." in text
    db.session.expire_all()
    assert db.session.execute(select(Organisation.name)).scalar_one() == "CISSS de l’Exemple"

    opened = signed_in.post("/coordination/organisation/inscription")
    assert opened.status_code == 302
    page = signed_in.get("/coordination/organisation").get_data(as_text=True)
    db.session.expire_all()
    key = db.session.execute(select(Organisation.signup_key)).scalar_one()
    assert f"/inscription/{key}" in page


def test_the_pool_page_adds_filters_and_imports(signed_in):
    signed_in.post("/coordination/organisation", data=settings_form())
    added = signed_in.post("/coordination/volontaires/ajouter", data={
        "display_name": "Ana Lopez", "email": "ana@exemple.ca", "language": "fr", "team": "urgence",
        "consent_already_given": "y"})
    assert added.status_code == 302
    refused = signed_in.post("/coordination/volontaires/ajouter", data={
        "display_name": "Ana Bis", "email": "ANA@exemple.ca", "language": "fr", "team": "cardiologie"})
    assert refused.status_code == 422
    text = refused.get_data(as_text=True)
    assert "fait déjà partie des volontaires" in text and "L’équipe « cardiologie » n’existe pas" in text

    header = "display_name,email,language,team,reports_to_email\n"
    bad = signed_in.post("/coordination/volontaires/importer", data={"file": (io.BytesIO(
        (header + "Ben,ben@exemple.ca,en,pediatrie,\nChloé,chloe@,fr,urgence,\n").encode()), "pool.csv")},
        content_type="multipart/form-data")
    assert bad.status_code == 422
    text = bad.get_data(as_text=True)
    assert "1 problème : rien n’a été importé" in text and "<td>3</td>" in text
    assert db.session.execute(select(func.count()).select_from(Volunteer)).scalar_one() == 1

    good = signed_in.post("/coordination/volontaires/importer", data={"file": (io.BytesIO(
        (header + "Ben,ben@exemple.ca,en,pediatrie,\nChloé,chloe@exemple.ca,fr,urgence,\n").encode()), "pool.csv")},
        content_type="multipart/form-data")
    assert good.status_code == 302
    statuses = dict(db.session.execute(select(Volunteer.email, Volunteer.status)).all())
    assert statuses == {"ana@exemple.ca": VolunteerStatus.AVAILABLE, "ben@exemple.ca": VolunteerStatus.AWAITING_CONSENT,
                        "chloe@exemple.ca": VolunteerStatus.AWAITING_CONSENT}

    filtered = signed_in.get("/coordination/volontaires?team=urgence&status=awaiting_consent").get_data(as_text=True)
    assert "Chloé" in filtered and "Ana Lopez" not in filtered and "Ben" not in filtered
    english = signed_in.get("/coordination/volontaires?language=en").get_data(as_text=True)
    assert "ben@exemple.ca" in english and "chloe@exemple.ca" not in english

    ben = db.session.execute(select(Volunteer).where(Volunteer.email == "ben@exemple.ca")).scalar_one()
    assert signed_in.post(f"/coordination/volontaires/{ben.id}/retrait").status_code == 302
    assert db.session.execute(select(func.count()).select_from(Volunteer)).scalar_one() == 2
