"""The coordinator's pages: log in, form groups, schedule and follow their sessions, change them."""

from service.coordinator import identity
from service.coordinator.blueprint import bp


def init_app(app):
    identity.init_app(app)
    app.register_blueprint(bp)
    _template_helpers(app)


def _template_helpers(app):
    from service import formatting
    from service.dates import zone_label
    from service.domain import overview
    from service.coordinator.forms import all_fields, messages, summary_message
    from service.i18n import gettext

    def _lang():
        return identity.language()

    app.add_template_filter(lambda moment, zone, style="full": formatting.local_datetime(moment, zone, _lang(), style),
                            "local_datetime")
    app.add_template_filter(lambda moment, zone, style="full": formatting.local_date(moment, zone, _lang(), style),
                            "local_date")
    app.add_template_filter(lambda moment, zone: formatting.local_time(moment, zone, _lang()), "local_time")
    app.add_template_filter(lambda zone: formatting.zone_name(zone, _lang()), "zone_name")
    app.add_template_filter(lambda moment, zone: zone_label(moment, zone, _lang()), "zone_name_at")
    app.add_template_filter(lambda at: formatting.wall_time(at, _lang()), "wall_time")
    app.add_template_filter(lambda status: status.text(_lang()), "status_text")
    app.add_template_filter(lambda message_id: gettext(_lang(), message_id), "translate")

    def form_errors(*forms):
        """(field id, message) of every error of the given forms, for the summary at the top of a page."""
        return [(field.id, summary_message(field.id, message)) for form in forms if form is not None
                for field in all_fields(form) for message in messages(field)]

    app.add_template_global(form_errors, "form_errors")
    app.add_template_global(overview.series_lines, "series_lines")

    @app.context_processor
    def coordinator_context():
        from service.coordinator.auth import LogoutForm

        coordinator = identity.current_coordinator()
        return {"current_coordinator": coordinator, "logout_form": LogoutForm(formdata=None) if coordinator else None}
