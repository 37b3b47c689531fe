"""The words of the protocol, written once.

Source: the CISSS de Laval guide « Mettre ou rejoindre un groupe de soutien entre pairs » (``shared/seeds``):
« Le déroulement d'une rencontre » and « La rencontre de démarrage ». The five questions and the key message
are the guide's own words; every other line paraphrases the guide for the chat or the moderator.

Each text is a French message id (``N_``); the English catalogue translates it. Placeholders use
``%(name)s`` and are filled by :mod:`service.protocol.builder`.
"""

from __future__ import annotations

from dataclasses import dataclass

from service.i18n import N_


@dataclass(frozen=True)
class StepScript:
    title: str
    moderator: str
    chat: str | None = None
    question: str | None = None


QUESTIONS = {
    "q1": N_("Que trouvez-vous le plus difficile?"),
    "q2": N_("Qu’est-ce qui vous aide ou peut vous aider maintenant?"),
    "q3": N_(
        "Avez-vous observé des choses positives à travers le chaos? "
        "Quelque chose pour laquelle vous êtes reconnaissants aujourd’hui?"
    ),
    "q4": N_("Qu’est-ce que nous avons généré ensemble comme soutien?"),
    "q5": N_("Qu’est-ce que nous pouvons nous offrir comme soutien au cours de la semaine qui vient?"),
}

KEY_MESSAGE = N_(
    "Il est normal que les émotions douloureuses demeurent, mais visons à ce qu’elles nous entravent moins "
    "grâce à notre soutien."
)

SAFETY_REMINDER = N_(
    "Dans un milieu psychologiquement « sûr », les membres d’une équipe ne craignent pas de perdre la face "
    "ni d’être jugés lorsqu’ils s’expriment de manière authentique."
)

# The guide's suggested ways to centre the group; a session uses one of them (rotating across sessions).
CENTRING_PRACTICES = (
    N_("l’écoute collective d’une musique apaisante (la Gymnopédie no 1 de Satie est souvent utilisée avec succès)"),
    N_(
        "l’écoute collective d’une capsule de pleine conscience (par exemple une des capsules « 3 minutes à "
        "méditer » de Christophe André)"
    ),
    N_("un exercice de respiration ou de méditation, guidée ou non"),
)

WELCOME = StepScript(
    title=N_("Accueil et centrage"),
    chat=N_(
        "Bienvenue! Prenons quelques minutes pour nous centrer et nous déposer ensemble : %(practice)s. "
        "%(safety)s Ce qui se dit ici reste ici."
    ),
    moderator=N_(
        "Accueillez chaque personne. Proposez le moyen de centrage : %(practice)s. Puis rappelez ce principe : "
        "%(safety)s Rappelez aussi la confidentialité et que chaque personne a droit de parole, sans obligation."
    ),
)

KICKOFF_WELCOME = StepScript(
    title=N_("Accueil et centrage"),
    chat=N_(
        "Bienvenue à cette première rencontre du groupe! Prenons quelques minutes pour nous centrer et nous déposer "
        "ensemble : %(practice)s. %(safety)s"
    ),
    moderator=N_(
        "Accueillez chaque personne et présentez-vous. Proposez le moyen de centrage : %(practice)s. Puis rappelez ce "
        "principe : %(safety)s"
    ),
)

CONTEXT = StepScript(
    title=N_("Le contexte du groupe"),
    chat=N_("Pourquoi ce groupe? Le contexte de sa création, ce qu’il est et ce qu’il n’est pas."),
    moderator=N_(
        "Expliquez le contexte de la création du groupe. Précisez que ce n’est ni une thérapie ni une réunion "
        "d’équipe : les enjeux cliniques, logistiques ou techniques relèvent des réunions d’équipe régulières. Ici, "
        "on s’entraide avec les émotions que ces enjeux provoquent."
    ),
)

WINNING_CONDITIONS = StepScript(
    title=N_("Nos conditions gagnantes"),
    chat=N_(
        "Nos conditions gagnantes : un espace protégé, une attitude de non-jugement, une participation volontaire, "
        "la confidentialité, la ponctualité, et nos jugements et rancœurs mis en veilleuse."
    ),
    moderator=N_(
        "Définissez ensemble les conditions gagnantes au bon fonctionnement du groupe. Nommez-les une à une et "
        "vérifiez que chaque personne y adhère. Demandez s’il en manque."
    ),
)

FOUNDATIONS = StepScript(
    title=N_("Les fondements du soutien entre pairs"),
    chat=N_(
        "Le soutien entre pairs : être présents les uns pour les autres, donner et recevoir du soutien, sans chercher "
        "à sauver personne. Chaque personne a droit de parole, personne n’est en posture d’expert, et aucun membre n’a "
        "d’autorité sur un autre."
    ),
    moderator=N_(
        "Présentez les fondements des groupes de pairs aidants : écoute attentive et authentique, jugements mis en "
        "veilleuse, voir le positif chez l’autre sans le réduire à sa détresse, bienveillance tout au long de la "
        "rencontre. Le soutien entre pairs n’est ni de la gestion ni de la thérapie : il offre du soutien, non "
        "un traitement, et oriente au besoin vers d’autres ressources."
    ),
)

AGREEMENTS = StepScript(
    title=N_("Nos modalités de fonctionnement"),
    chat=N_("Convenons ensemble de la fréquence, de l’horaire, de la durée et du calendrier de nos rencontres."),
    moderator=N_(
        "Convenez de la fréquence, de l’horaire, de la durée et du calendrier des rencontres. Si une partie du temps "
        "est pendant les heures de travail, l’accord de la personne à qui chaque membre se rapporte est nécessaire; en dehors des heures de "
        "travail, la participation est volontaire, sans obligation ni rémunération supplémentaire. Transmettez les "
        "décisions à la personne coordonnatrice."
    ),
)

ROUND_TABLE_TITLE = N_("Tour de table — Question %(number)s")
CLOSING_TITLE = N_("Bouclage — Question %(number)s")
QUESTION_CHAT = N_("Question %(number)s : %(question)s")

QUESTION_GUIDANCE = {
    "q1": N_(
        "Chacun prend quelques minutes à tour de rôle (environ %(budget)s par personne). Important : on reconnaît, "
        "on nomme, on valide et on normalise les émotions exprimées."
    ),
    "q2": N_(
        "Question posée autant par la personne modératrice que par les membres du groupe entre eux (environ %(budget)s par "
        "personne)."
    ),
    "q3": N_("Question posée aux membres du groupe (environ %(budget)s par personne)."),
    "q4": N_("Nommez ensemble le soutien que le groupe a généré aujourd’hui."),
    "q5": N_("Invitez le groupe à nommer le soutien que vous pouvez vous offrir d’ici la prochaine rencontre."),
}

CUE_CLOSING = StepScript(
    title=N_("Encore %(minutes)s min au tour de table"),
    moderator=N_(
        "Il reste environ %(minutes)s min au tour de table : invitez les dernières personnes à s’exprimer, puis "
        "passez au bouclage (Question 4)."
    ),
)

KEY_MESSAGE_STEP = StepScript(
    title=N_("Message clé à retenir"),
    chat=N_("Message clé à retenir : %(key_message)s Merci à toutes et à tous."),
    moderator=N_(
        "Lisez le message clé : « %(key_message)s » Remerciez le groupe et rappelez les ressources d’aide si "
        "quelqu’un en a besoin."
    ),
)

KICKOFF_ROUND_NOTE = N_("Première ronde, plus courte : l’important est que chaque personne ait la parole.")
