"""Every form the site shows. Flask-WTF adds a CSRF token to each."""

from __future__ import annotations

from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired, FileSize
from wtforms import (
    BooleanField,
    EmailField,
    HiddenField,
    PasswordField,
    RadioField,
    SelectChoice,
    StringField,
)
from wtforms.validators import DataRequired, Email, EqualTo, Length, ValidationError

from ..text_safety import has_unsafe_characters

NAME_MAX = 120


def _password_length(_form: FlaskForm, field: PasswordField) -> None:
    minimum = current_app.config["PASSWORD_MIN_LENGTH"]
    if len(field.data or "") < minimum:
        raise ValidationError(_l("Use at least %(n)s characters.", n=minimum))
    if len(field.data) > 200:
        raise ValidationError(_l("Use at most 200 characters."))


def _no_control_characters(_form: FlaskForm, field: StringField) -> None:
    if has_unsafe_characters(field.data or ""):
        raise ValidationError(_l("This field contains characters that are not allowed."))


class SignupForm(FlaskForm):
    name = StringField(_l("Your name"), validators=[
        DataRequired(_l("Please enter your name.")), Length(max=NAME_MAX), _no_control_characters])
    email = EmailField(_l("E-mail address"), validators=[
        DataRequired(_l("Please enter your e-mail address.")),
        Email(_l("This e-mail address does not look valid."), check_deliverability=False),
        Length(max=254)])
    password = PasswordField(_l("Password"), validators=[
        DataRequired(_l("Please choose a password.")), _password_length])
    # Shown only when the visitor came through an organisation (labels name it).
    leave_organisation = BooleanField()
    share_progress = BooleanField()
    next = HiddenField()


class LoginForm(FlaskForm):
    email = EmailField(_l("E-mail address"), validators=[
        DataRequired(_l("Please enter your e-mail address.")), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[
        DataRequired(_l("Please enter your password.")), Length(max=200)])
    remember = BooleanField(_l("Remember me on this device"))
    next = HiddenField()


class ForgotPasswordForm(FlaskForm):
    email = EmailField(_l("E-mail address"), validators=[
        DataRequired(_l("Please enter your e-mail address.")),
        Email(_l("This e-mail address does not look valid."), check_deliverability=False),
        Length(max=254)])


class ResetPasswordForm(FlaskForm):
    password = PasswordField(_l("New password"), validators=[
        DataRequired(_l("Please choose a password.")), _password_length])
    confirm = PasswordField(_l("Repeat the new password"), validators=[
        EqualTo("password", _l("The two passwords are different."))])


class NameForm(FlaskForm):
    name = StringField(_l("Your name"), validators=[
        DataRequired(_l("Please enter your name.")), Length(max=NAME_MAX), _no_control_characters])


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField(_l("Current password"), validators=[
        DataRequired(_l("Please enter your current password.")), Length(max=200)])
    password = PasswordField(_l("New password"), validators=[
        DataRequired(_l("Please choose a password.")), _password_length])
    confirm = PasswordField(_l("Repeat the new password"), validators=[
        EqualTo("password", _l("The two passwords are different."))])


class DeleteAccountForm(FlaskForm):
    password = PasswordField(_l("Your password, to confirm"), validators=[
        DataRequired(_l("Please enter your password.")), Length(max=200)])
    certificates = RadioField(
        _l("Your certificates"),
        choices=[SelectChoice("keep", _l("Keep them verifiable: anyone with the link can still check them")),
                 SelectChoice("withdraw", _l("Withdraw them: their pages will say they were withdrawn"))],
        default="keep")


class EmptyForm(FlaskForm):
    """For POST-only buttons (mark as complete, log out): just the CSRF token."""


class CertificateNameForm(FlaskForm):
    name = StringField(_l("Name to print on the certificate"), validators=[
        DataRequired(_l("Please enter the name to print.")), Length(max=NAME_MAX),
        _no_control_characters])
    confirm = BooleanField(_l("I have checked: this is exactly how my name should appear"),
                           validators=[DataRequired(_l("Please confirm the name as it will be printed."))])

    def validate_name(self, field: StringField) -> None:
        from ..certificates import normalise_printed_name, unsupported_characters

        missing = unsupported_characters(normalise_printed_name(field.data or ""))
        if missing:
            raise ValidationError(_l(
                "These characters cannot be printed on the certificate: %(chars)s. Please write "
                "your name with Latin, Greek, Cyrillic, Arabic or Chinese characters.",
                chars=" ".join(sorted(missing))))


class VerifyUploadForm(FlaskForm):
    pdf = FileField(_l("Certificate (PDF file)"), validators=[
        FileRequired(_l("Please choose a PDF file.")),
        FileSize(max_size=4 * 1024 * 1024, message=_l("The file is larger than 4 MB."))])


class ShareProgressForm(FlaskForm):
    share_progress = BooleanField()
