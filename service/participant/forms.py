from flask_wtf import FlaskForm


class LeaveForm(FlaskForm):
    """Leaving asks for nothing but the confirmation itself (and the CSRF token)."""
