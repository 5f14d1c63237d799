"""Every form the site shows. Flask-WTF adds a CSRF token to each."""

from __future__ import annotations

from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired, FileSize
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    HiddenField,
    PasswordField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
)
from wtforms.validators import DataRequired, Email, EqualTo, Length, Optional, ValidationError
from wtforms.widgets import TextInput

from ..certificates.ids import normalise_public_id
from ..password_policy import Weakness, password_weakness
from ..text_safety import has_invisible_characters, has_unsafe_characters, has_visible_letters

NAME_MAX = 120


def _password_length(_form: FlaskForm, field: PasswordField) -> None:
    minimum = current_app.config["PASSWORD_MIN_LENGTH"]
    if len(field.data or "") < minimum:
        raise ValidationError(_l("Use at least %(n)s characters.", n=minimum))
    if len(field.data) > 200:
        raise ValidationError(_l("Use at most 200 characters."))


_WEAKNESS_MESSAGES = {
    Weakness.COMMON: _l("This password is one of the most common ones, which attackers try first. "
                        "Choose another one: a short sentence is easy to remember."),
    Weakness.REPETITIVE: _l("This password is too easy to guess (a repeated character, a sequence "
                            "such as 1234 or a keyboard row such as azerty). Choose another one: a "
                            "short sentence is easy to remember."),
    Weakness.PERSONAL: _l("This password is mostly your name or e-mail address. Choose another one: "
                          "a short sentence is easy to remember."),
}


def _hard_to_guess(form: FlaskForm, field: PasswordField) -> None:
    """After the length check: refuse common, repetitive and personal passwords."""
    if field.errors:  # too short or too long already says enough
        return
    email, name = _whose_password(form)
    weakness = password_weakness(field.data or "", email=email, name=name)
    if weakness is not None:
        raise ValidationError(_WEAKNESS_MESSAGES[weakness])


def _whose_password(form: FlaskForm) -> tuple[str, str]:
    """The e-mail and name the password must not repeat: typed in the sign-up form,
    set by the view on the reset form (`form.owner`), else the signed-in learner."""
    if "email" in form and "name" in form:
        return form["email"].data or "", form["name"].data or ""
    owner = getattr(form, "owner", None) or (current_user if current_user.is_authenticated else None)
    return (owner.email, owner.name) if owner is not None else ("", "")


def _no_control_characters(_form: FlaskForm, field: StringField) -> None:
    if has_unsafe_characters(field.data or ""):
        raise ValidationError(_l("This field contains characters that are not allowed."))


def _visible_name(_form: FlaskForm, field: StringField) -> None:
    """Names are shown to others and printed on signed certificates: what is
    stored must be what anyone reads."""
    name = field.data or ""
    if field.errors or not name.strip():
        return
    if has_invisible_characters(name):
        raise ValidationError(_l("This name contains invisible characters (such as zero-width spaces, "
                                 "soft hyphens or direction marks). Please type it again without them."))
    if not has_visible_letters(name):
        raise ValidationError(_l("Please enter a name made of visible letters."))


class SignupForm(FlaskForm):
    name = StringField(_l("Your name"), validators=[
        DataRequired(_l("Please enter your name.")), Length(max=NAME_MAX), _no_control_characters,
        _visible_name])
    email = EmailField(_l("E-mail address"), validators=[
        DataRequired(_l("Please enter your e-mail address.")),
        Email(_l("This e-mail address does not look valid."), check_deliverability=False),
        Length(max=254), _no_control_characters])
    password = PasswordField(_l("Password"), validators=[
        DataRequired(_l("Please choose a password.")), _password_length, _hard_to_guess])
    # Shown only when the visitor came through an organisation (labels name it).
    leave_organisation = BooleanField()
    share_progress = BooleanField()
    next = HiddenField()


class LoginForm(FlaskForm):
    email = EmailField(_l("E-mail address"), validators=[
        DataRequired(_l("Please enter your e-mail address.")), Length(max=254),
        _no_control_characters])
    password = PasswordField(_l("Password"), validators=[
        DataRequired(_l("Please enter your password.")), Length(max=200)])
    remember = BooleanField(_l("Remember me on this device"))
    next = HiddenField()


class ForgotPasswordForm(FlaskForm):
    email = EmailField(_l("E-mail address"), validators=[
        DataRequired(_l("Please enter your e-mail address.")),
        Email(_l("This e-mail address does not look valid."), check_deliverability=False),
        Length(max=254), _no_control_characters])


class ResetPasswordForm(FlaskForm):
    password = PasswordField(_l("New password"), validators=[
        DataRequired(_l("Please choose a password.")), _password_length, _hard_to_guess])
    confirm = PasswordField(_l("Repeat the new password"), validators=[
        EqualTo("password", _l("The two passwords are different."))])


class NameForm(FlaskForm):
    name = StringField(_l("Your name"), validators=[
        DataRequired(_l("Please enter your name.")), Length(max=NAME_MAX), _no_control_characters,
        _visible_name])


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField(_l("Current password"), validators=[
        DataRequired(_l("Please enter your current password.")), Length(max=200)])
    password = PasswordField(_l("New password"), validators=[
        DataRequired(_l("Please choose a password.")), _password_length, _hard_to_guess])
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
        _no_control_characters, _visible_name])
    confirm = BooleanField(_l("I have checked: this is exactly how my name should appear"),
                           validators=[DataRequired(_l("Please confirm the name as it will be printed."))])

    def validate_name(self, field: StringField) -> None:
        from ..certificates import normalise_printed_name, unsupported_characters
        from .certificate_support import certificate_files

        missing = unsupported_characters(normalise_printed_name(field.data or ""),
                                         certificate_files().fonts)
        if missing:
            raise ValidationError(_l(
                "These characters cannot be printed on the certificate: %(chars)s. Please write "
                "your name with Latin, Greek, Cyrillic, Arabic or Chinese characters.",
                chars=" ".join(sorted(missing))))


class VerifyUploadForm(FlaskForm):
    pdf = FileField(_l("Certificate (PDF file)"), validators=[
        FileRequired(_l("Please choose a PDF file.")),
        FileSize(max_size=4 * 1024 * 1024, message=_l("The file is larger than 4 MB."))])


_ID_SHAPE = _l("A certificate ID has 16 letters and digits, as on the certificate: "
               "XXXX-XXXX-XXXX-XXXX.")


class CertificateIdForm(FlaskForm):
    """A certificate ID typed from paper: a GET form (looking up changes nothing,
    and the address can be shared), hence no CSRF token."""

    class Meta:
        csrf = False

    certificate = StringField(_l("Certificate ID"), validators=[
        DataRequired(_l("Please type the certificate ID.")), Length(max=64, message=_ID_SHAPE)],
        render_kw={"placeholder": "XXXX-XXXX-XXXX-XXXX", "autocapitalize": "characters",
                   "spellcheck": "false", "size": 22})

    def validate_certificate(self, field: StringField) -> None:
        if normalise_public_id(field.data or "") is None:
            raise ValidationError(_ID_SHAPE)


class CertificateMailForm(FlaskForm):
    certificate_mail = BooleanField(_l("E-mail me the link when a certificate is issued to me"))


class ShareProgressForm(FlaskForm):
    share_progress = BooleanField()


class ReportPeriodForm(FlaskForm):
    """The dashboards' date range (and course): a GET form, so bookmarks and the
    download links carry the same period. Reading figures changes nothing, hence
    no CSRF token."""

    class Meta:
        csrf = False

    # Text inputs: the HTML checker flags type="date" (unsupported in some browsers),
    # and ISO dates are what the CLI and the download links take too.
    start = DateField(_l("From"), validators=[Optional()], widget=TextInput(),
                      render_kw={"size": 10})
    end = DateField(_l("To (included)"), validators=[Optional()], widget=TextInput(),
                    render_kw={"size": 10})
    course = SelectField(_l("Course"), validators=[Optional()], validate_choice=True)

    def validate_start(self, field: DateField) -> None:
        _plausible_year(field)

    def validate_end(self, field: DateField) -> None:
        _plausible_year(field)
        if self.start.data and field.data and field.data < self.start.data:
            raise ValidationError(_l("The end of the period must not be before its start."))


def _plausible_year(field: DateField) -> None:
    # field.data is None when the text was not a date (DateField reports that itself).
    if field.data is not None and not 2000 <= field.data.year <= 2100:
        raise ValidationError(_l("Choose a date between 2000 and 2100."))


class AnalyticsFilterForm(ReportPeriodForm):
    """The instructor dashboard's filters: the same validated date range as the reports,
    and a language (every language when empty). The course is in the URL."""

    course = None  # type: ignore[assignment]
    language = SelectField(_l("Language"), validators=[Optional()], validate_choice=True)
