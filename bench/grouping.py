"""How good and how fast the proposed groups are, on a realistic organisation, next to a random valid partition.

    .venv/bin/python bench/grouping.py [--people 2000] [--teams 40] [--seed 1] [--target-size 6]

Builds an organisation of ``--teams`` teams in 8 directions: directors, a manager per team, 2 to 4 team leads
under each manager (some people report to a lead of another team, as in a matrix), leads and managers only
partly volunteers themselves (their lines still link the chain); teams mostly French or mostly English; weekly
availabilities that follow each team's rhythm (office hours, early shift, evening shift), 1 to 5 windows a
person, a few with none. Prints the proposal's CPU time (without tracing) and peak Python memory (a second run
under tracemalloc), then the share of placed people whose whole group shares their team, the mean number of
common session starts per group, the share of groups with a trained moderator, the mean size and the number
unplaced — each next to the same figures for a random valid partition. Every group of both is checked against
the rules.
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import sys
import time
import tracemalloc
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from service.grouping import Person, Window, propose  # noqa: E402
from service.grouping.pool import Pool  # noqa: E402
from service.grouping.rules import group_problems  # noqa: E402
from service.grouping.values import MAX_MEMBERS, MIN_MEMBERS  # noqa: E402

RHYTHMS = {
    # name: (weekdays, windows as (start hour, end hour)) people of such a team tend to give
    "office": ((1, 2, 3, 4, 5), [(8, 9.5), (12, 13), (12, 13.5), (15.5, 17), (9, 11), (13.5, 15)]),
    "early": ((1, 2, 3, 4, 5, 6), [(6.5, 7.5), (11, 12), (14, 15.5), (10, 11)]),
    "evening": ((1, 2, 3, 4, 5, 6, 7), [(14, 15), (18, 19), (21.5, 23), (17, 18)]),
}


def _window(rng: random.Random, rhythm: str) -> Window:
    weekdays, hours = RHYTHMS[rhythm]
    start, end = rng.choice(hours)
    return Window(rng.choice(weekdays), int(start * 60), int(end * 60))


def build_organisation(people: int, teams: int, rng: random.Random) -> tuple[list[Person], dict[str, str | None]]:
    """The pool and the reporting lines of the people above it who did not volunteer."""
    outside: dict[str, str | None] = {"vp@org": None}
    directors = [f"director{d}@org" for d in range(8)]
    pool: list[Person] = []
    team_names = [f"team{t:02d}" for t in range(teams)]
    rhythm_of = {team: rng.choices(list(RHYTHMS), weights=(6, 2, 2))[0] for team in team_names}
    french = {team: rng.random() < 0.65 for team in team_names}
    sizes = [rng.randint(25, 75) for _ in team_names]
    sizes = [max(5, round(size * people / sum(sizes))) for size in sizes]
    sizes[-1] += people - sum(sizes)
    leads_of: dict[str, list[str]] = {}
    counter = 0

    def person(email: str, team: str, reports_to: str | None, is_lead: bool) -> Person:
        nonlocal counter
        counter += 1
        rhythm = rhythm_of[team] if rng.random() < 0.85 else rng.choice(list(RHYTHMS))
        count = rng.choices([0, 1, 2, 3, 4, 5], weights=(2, 10, 25, 30, 20, 13))[0]
        language = ("fr" if rng.random() < 0.85 else "en") if french[team] else ("en" if rng.random() < 0.8 else "fr")
        return Person(key=counter, email=email, language=language, team=team, reports_to=reports_to,
                      availability=tuple(sorted({_window(rng, rhythm) for _ in range(count)})),
                      is_trained_moderator=rng.random() < (0.35 if is_lead else 0.08))

    for director in directors:
        outside[director] = "vp@org"
    for index, team in enumerate(team_names):
        manager = f"manager.{team}@org"
        director = directors[index % len(directors)]
        leads = [f"lead{n}.{team}@org" for n in range(rng.randint(2, 4))]
        leads_of[team] = leads
        if rng.random() < 0.5:
            pool.append(person(manager, team, director, True))
        else:
            outside[manager] = director
        for lead in leads:
            if rng.random() < 0.7:
                pool.append(person(lead, team, manager, True))
            else:
                outside[lead] = manager
    volunteers = people - len(pool)
    for index, team in enumerate(team_names):
        for n in range(max(0, sizes[index] - 1 - len(leads_of[team])) if volunteers > 0 else 0):
            if volunteers <= 0:
                break
            home = team if rng.random() > 0.05 else rng.choice(team_names)  # a matrix line to another team
            boss = rng.choice(leads_of[home]) if rng.random() < 0.9 else f"manager.{home}@org"
            pool.append(person(f"e{n}.{team}@org", team, boss, False))
            volunteers -= 1
    while volunteers > 0:
        team = rng.choice(team_names)
        pool.append(person(f"x{volunteers}.{team}@org", team, rng.choice(leads_of[team]), False))
        volunteers -= 1
    return pool, outside


def random_valid_partition(pool: Pool, target_size: int, rng: random.Random) -> list[list[int]]:
    """The baseline: people in random order, each into the first open group (random order) of their language
    where every rule holds, else a new group; groups left under the minimum are broken up and their people tried
    once more in any group with room."""
    people = [person for person in range(len(pool)) if pool.mask[person]]
    rng.shuffle(people)
    groups: list[list[int]] = []

    def place(person: int, limit: int) -> bool:
        candidates = [group for group in groups if 0 < len(group) < limit]
        rng.shuffle(candidates)
        for group in candidates:
            if pool.fits(person, group, pool.common_mask(group)):
                group.append(person)
                return True
        return False

    for person in people:
        if not place(person, target_size):
            groups.append([person])
    small = [group for group in groups if len(group) < MIN_MEMBERS]
    groups = [group for group in groups if len(group) >= MIN_MEMBERS]
    for group in small:
        for person in group:
            place(person, MAX_MEMBERS)
    return groups


def figures(pool: Pool, groups: list[list[int]]) -> dict[str, float]:
    for group in groups:
        assert not group_problems(pool, group), group_problems(pool, group)
    placed = sum(len(group) for group in groups)
    whole_team = sum(len(group) for group in groups
                     if pool.team[group[0]] is not None and len({pool.team[member] for member in group}) == 1)
    return {
        "groups": len(groups),
        "whole_team_share": whole_team / placed if placed else 0.0,
        "mean_common_slots": sum(pool.common_mask(group).bit_count() for group in groups) / len(groups),
        "groups_with_moderator": sum(any(pool.moderator[m] for m in group) for group in groups),
        "moderator_share": sum(any(pool.moderator[m] for m in group) for group in groups) / len(groups),
        "mean_size": placed / len(groups),
        "unplaced": len(pool) - placed,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--people", type=int, default=2000)
    parser.add_argument("--teams", type=int, default=40)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--target-size", type=int, default=6)
    args = parser.parse_args()
    people, outside = build_organisation(args.people, args.teams, random.Random(args.seed))
    languages = Counter(person.language for person in people)
    print(f"{len(people)} volunteers, {args.teams} teams, languages {dict(sorted(languages.items()))}, "
          f"{sum(not p.availability for p in people)} without availability, load {os.getloadavg()[0]:.1f}")

    started = time.process_time()
    proposal = propose(people, outside, target_size=args.target_size, seed=args.seed)
    cpu = time.process_time() - started
    tracemalloc.start()
    propose(people, outside, target_size=args.target_size, seed=args.seed)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()

    pool = Pool(people, outside)
    position = {person.key: index for index, person in enumerate(pool.people)}
    proposed = figures(pool, [[position[key] for key in group.members] for group in proposal.groups])
    baseline = figures(pool, random_valid_partition(pool, args.target_size, random.Random(args.seed)))
    reasons = Counter(item.reason for item in proposal.unplaced)
    print(f"proposal: CPU {cpu:.2f} s, peak Python memory {peak / 2**20:.1f} MiB (the whole benchmark process: "
          f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB resident at most)")
    print(f"{'':28}{'proposal':>10}{'random':>10}")
    for name in proposed:
        print(f"{name:28}{proposed[name]:>10.3f}{baseline[name]:>10.3f}")
    print("unplaced reasons:", dict(sorted(reasons.items())))
    moderators = sum(person.is_trained_moderator and bool(person.availability) for person in people)
    print(f"trained moderators with a slot: {moderators} (at most {min(1.0, moderators / proposed['groups']):.3f} "
          f"of {proposed['groups']:.0f} groups can have one)")


if __name__ == "__main__":
    main()
