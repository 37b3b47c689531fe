from flask_wtf import FlaskForm
from wtforms import HiddenField
from wtforms.validators import AnyOf, DataRequired


class ControlForm(FlaskForm):
    """A live control: the plan version it was made from guards against double clicks and stale pages."""

    plan_version = HiddenField(validators=[DataRequired()])


class FollowUpForm(FlaskForm):
    needed = HiddenField(validators=[AnyOf(["0", "1"])])
