"""Fuzz the JSON API from its own OpenAPI document (schemathesis): whatever the input, never a 5xx; every answer
as the document declares it (status, content type, body); and whatever the document forbids, refused (4xx)."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, time, timedelta

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import (
    content_type_conformance,
    negative_data_rejection,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)
from schemathesis.core.parameters import ParameterLocation

from service.domain import polls, scheduling, supervisors
from service.domain.clock import UTC
from service.domain.poll_choice import Slot
from service.domain.coordinators import create_coordinator
from service.protocol import SessionKind
from tests.factories import make_group
from tests.test_scheduling import next_weekday


@pytest.fixture
def api_schema(app, settings, coordinator, actor):
    """The live document, with real rows behind id 1 so that requests reach the domain, not only 404s."""
    token = create_coordinator(settings, coordinator.email).token
    group = make_group(actor, members=5, trained=2)
    scheduling.schedule_session(group, SessionKind.KICKOFF, datetime.combine(next_weekday(1), time(19)), 60, actor)
    scheduling.schedule_series(group, scheduling.SeriesPlan(next_weekday(2, 2), time(19), occurrence_count=3), actor)
    # A supervisor, so that the community of practice's operations reach their rules too.
    supervisors.add_supervisor(actor.organisation_id, "Sophie Lavoie", "sophie@acsm.example", "fr", actor)
    polls.open_poll(group, polls.PollDraft([Slot(2, time(19)), Slot(4, time(19))], 1, 4,
                                           datetime.now(UTC) + timedelta(days=3)), actor)  # poll 1, to decide
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    schema.config.headers = {"Authorization": f"Bearer {token}"}
    return schema


EXISTING_IDS = st.one_of(st.integers(1, 8), st.none())
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance,
          negative_data_rejection]


@pytest.mark.slow
@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_no_input_makes_the_api_fail_or_stray_from_its_document(api_schema, mode):
    """Every operation of the document, with generated valid (positive) or invalid (negative) paths and bodies."""
    operations = [result.ok() for result in api_schema.get_all_operations()]
    seen: Counter[int] = Counter()
    assert len(operations) >= 20

    if mode is GenerationMode.NEGATIVE:  # an operation without parameters or body has nothing to make invalid
        operations = [operation for operation in operations if "{" in operation.path or operation.body]
    for operation in operations:
        @given(case=operation.as_strategy(generation_mode=mode),
               small_ids=st.lists(EXISTING_IDS, min_size=2, max_size=2))
        @settings(max_examples=30, deadline=None, database=None,
                  suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
        def call(case, small_ids):
            # Mostly ids that exist (1..8), so that bodies reach the domain rules rather than a 404 (but a path
            # made invalid on purpose stays so).
            if not (case.meta and case.meta.is_negative_at(ParameterLocation.PATH)):
                for name, value in zip(sorted(case.path_parameters or {}), small_ids):
                    if value is not None:
                        case.path_parameters[name] = value
            response = case.call()
            seen[response.status_code] += 1
            case.validate_response(response, checks=CHECKS)

        call()
    if mode is GenerationMode.POSITIVE:
        # The fuzzer got past authentication and lookups into the domain rules, both ways.
        assert seen[401] == 0 and seen[422] > 0 and seen[200] + seen[201] + seen[204] > 0, seen
    else:
        assert seen[401] == 0 and all(400 <= status < 500 for status in seen), seen
