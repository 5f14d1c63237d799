"""The forms of the admin and organisation areas (each has a CSRF token)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired, FileSize
from wtforms import BooleanField, HiddenField, RadioField, SelectChoice, SelectField, TextAreaField
from wtforms.validators import DataRequired, Length, ValidationError

from ...organisations.invitations import MAX_BYTES
from ...text_safety import has_unsafe_characters


def role_choices() -> list[SelectChoice]:
    return [SelectChoice("learner", _l("Learner")), SelectChoice("instructor", _l("Instructor")),
            SelectChoice("admin", _l("Admin"))]


class RoleForm(FlaskForm):
    role = SelectField(_l("Role"), choices=role_choices())


class AdminDeleteUserForm(FlaskForm):
    certificates = RadioField(
        _l("Their certificates"),
        choices=[SelectChoice("keep", _l("Keep them verifiable")),
                 SelectChoice("withdraw", _l("Withdraw them"))],
        default="keep")
    confirm = BooleanField(_l("I understand that this account and its progress will be erased "
                              "for good"),
                           validators=[DataRequired(_l("Please confirm the deletion."))])


def _plain_text(_form: FlaskForm, field: TextAreaField) -> None:
    if has_unsafe_characters((field.data or "").replace("\n", " ").replace("\r", " ")):
        raise ValidationError(_l("This field contains characters that are not allowed."))


class RevokeForm(FlaskForm):
    reason = TextAreaField(_l("Reason (shown on the certificate's public page)"), validators=[
        DataRequired(_l("Please give the reason for revoking.")), Length(max=500), _plain_text])


class InvitationUploadForm(FlaskForm):
    file = FileField(_l("CSV file: one e-mail address per line, optionally followed by a name"),
                     validators=[FileRequired(_l("Please choose a CSV file.")),
                                 FileSize(max_size=MAX_BYTES,
                                          message=_l("The file is larger than 2 MB."))])


class InvitationConfirmForm(FlaskForm):
    """The second step after an upload with bad rows: import only the valid ones."""

    upload = HiddenField(validators=[DataRequired(), Length(max=64)])
