"""The words of the moderators' community of practice, written once.

The source documents ask for « un soutien hebdomadaire [...] sous forme de communauté de pratiques » for internal
moderators, and « le soutien d’une personne expérimentée en pair-aidance »; the peer-support guidelines add that
supporters share what they learn without identifying anyone. The three round questions are the issue's own
words (typography as the guide writes its questions); every other line paraphrases that intent.

Each text is a French message id (``N_``); the English catalogue translates it.
"""

from __future__ import annotations

from service.i18n import N_
from service.protocol.script import StepScript

QUESTIONS = {
    "p1": N_("Qu’est-ce qui s’est bien passé dans mon animation?"),
    "p2": N_("Qu’est-ce qui a été difficile, ou où ai-je hésité?"),
    "p3": N_("Qu’est-ce que j’essaierai la prochaine fois?"),
}

# Said with the difficult question, in the chat and on the console: the community never names anyone.
NO_NAMES_REMINDER = N_("Rappel : on ne nomme personne et on ne donne aucun détail qui permettrait de reconnaître "
                       "une personne ou un groupe.")

KEY_MESSAGE = N_("On n’anime jamais en solitaire : prendre soin de soi fait partie du rôle, et notre communauté est là "
                 "pour apprendre et se soutenir ensemble.")

# The shared-learning themes the console offers the supervisor, one per session in turn.
THEMES = (
    N_("orienter une personne vers une autre ressource"),
    N_("les silences"),
    N_("les émotions fortes"),
    N_("la gestion du temps"),
    N_("nos propres limites"),
)

WELCOME = StepScript(
    title=N_("Accueil et centrage"),
    chat=N_(
        "Bienvenue à la communauté de pratique des personnes modératrices! Prenons quelques minutes pour nous "
        "centrer : %(practice)s. Ce qui se dit ici reste ici, et on parle de son animation sans nommer personne."
    ),
    moderator=N_(
        "Accueillez chaque personne. Proposez le moyen de centrage : %(practice)s. Rappelez que la rencontre porte "
        "sur l’expérience de chaque personne dans son rôle de modération, qu’on n’y nomme personne et qu’on n’y donne "
        "aucun détail permettant de reconnaître une personne ou un groupe."
    ),
)

ROUND_TITLE = N_("Tour de table — Question %(number)s")
QUESTION_CHAT = N_("Question %(number)s : %(question)s")

GUIDANCE = {
    "p1": N_("Chaque personne modératrice nomme ce qui s’est bien passé dans ses dernières animations (environ "
             "%(budget)s par personne). Soulignez les forces nommées."),
    "p2": N_("Chaque personne nomme ce qui a été difficile, ou le moment où elle a hésité (environ %(budget)s par "
             "personne). Rappelez qu’on ne nomme personne et qu’on ne donne aucun détail permettant de reconnaître une "
             "personne ou un groupe; recentrez doucement si cela arrive."),
    "p3": N_("Chaque personne nomme une chose qu’elle essaiera la prochaine fois (environ %(budget)s par personne)."),
}

LEARNING = StepScript(
    title=N_("Apprentissage partagé"),
    chat=N_("Moment d’apprentissage partagé. Thème proposé : %(theme)s."),
    moderator=N_(
        "La personne superviseure anime ce court moment. Thème proposé : %(theme)s. Partez de ce que le groupe "
        "vient de nommer, offrez un repère concret, puis invitez chaque personne à dire ce qu’elle en retient."
    ),
)
LEARNING_SUMMARY = N_("Thème proposé : %(theme)s")

CLOSING = StepScript(
    title=N_("Bouclage"),
    chat=N_("Bouclage : en quelques mots, qu’est-ce que je retiens pour moi aujourd’hui?"),
    moderator=N_(
        "Invitez chaque personne à dire en quelques mots ce qu’elle retient. Rappelez que chaque personne modératrice "
        "peut demander à parler à la personne superviseure après une animation exigeante."
    ),
)

KEY_MESSAGE_STEP = StepScript(
    title=N_("Message clé à retenir"),
    chat=N_("Message clé à retenir : %(key_message)s Merci à toutes et à tous."),
    moderator=N_("Lisez le message clé : « %(key_message)s » Remerciez le groupe et annoncez la prochaine "
                 "rencontre."),
)
