"""French elision before first names (« relève d’Éloïse », « Au tour d’Hélène »), and where the service uses it."""

import pytest

from service.domain.errors import Violation
from service.elision import elide, starts_with_vowel_sound


@pytest.mark.parametrize("name", ["Éloïse", "Anne", "Hélène", "Hugo", "Inès", "Yves", "Ève-Marie", "Œdipe", "olivier",
                                  "Ursule", "Âmes"])
def test_vowels_and_mute_h_elide(name):
    assert starts_with_vowel_sound(name)
    assert elide(f"Au tour de {name}", [name]) == f"Au tour d’{name}"


@pytest.mark.parametrize("name", ["Marc", "Yannick", "Yolande", "Chloé", "H", "", "Benoît", "Hlynur"])
def test_consonants_do_not(name):
    assert not starts_with_vowel_sound(name)
    assert elide(f"Au tour de {name}", [name]) == f"Au tour de {name}"


def test_only_before_the_names_given_and_only_in_french():
    text = "Luc relève de Éloïse, qui parle de Anne et de Amélie."
    assert elide(text, ["Éloïse", "Luc"]) == "Luc relève d’Éloïse, qui parle de Anne et de Amélie."
    assert elide("Parce que Éloïse", ["Éloïse"]) == "Parce qu’Éloïse"
    assert elide("De Anne", ["Anne"]) == "D’Anne"
    assert elide("It is Éloïse’s turn, de Anne", ["Éloïse", "Anne"], "en") == "It is Éloïse’s turn, de Anne"
    assert elide("Au tour de Annette", ["Ann"]) == "Au tour de Annette"  # a longer name is not a shorter one


def test_the_hierarchy_message_elides_the_managers_name():
    violation = Violation("hierarchy_in_group", "%(member)s relève de %(manager)s, qui fait aussi partie du groupe.",
                          params={"member": "Luc", "manager": "Éloïse"})
    assert violation.message("fr") == "Luc relève d’Éloïse, qui fait aussi partie du groupe."


def test_pages_elide_with_the_template_filter(app):
    template = app.jinja_env.from_string('{{ _("Retirer l’accès de %(name)s", name=n)|elide(n) }}')
    with app.test_request_context("/"):
        assert template.render(n="Éloïse Roy") == "Retirer l’accès d’Éloïse Roy"
        assert template.render(n="Marc Roy") == "Retirer l’accès de Marc Roy"


def test_the_template_filter_keeps_safe_html_safe(app):
    template = app.jinja_env.from_string('{{ _("Retirer l’accès de %(name)s", name=n)|elide(n) }}')
    with app.test_request_context("/"):
        assert template.render(n="Anne & <Co>") == "Retirer l’accès d’Anne &amp; &lt;Co&gt;"
        assert template.render(n="Marc & Co") == "Retirer l’accès de Marc &amp; Co"
