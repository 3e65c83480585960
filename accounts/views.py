import json

from allauth.core import ratelimit
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from . import mfa, services
from .forms import AccountDeleteForm, InvitationForm, ProfileForms
from .http import AuthenticatedHttpRequest
from .mfa import MfaEmailCodeForm
from .models import INVITATION_VALIDITY, Invitation
from .personal_data import user_data_export
from .querysets import infrastructures_invitable_by


@login_required
@require_http_methods(["GET", "POST"])
def profile(request: AuthenticatedHttpRequest) -> HttpResponse:
    forms = ProfileForms(request.POST or None, user=request.user)
    if request.method == "POST" and forms.is_valid():
        try:
            services.company_profile_update(
                user=request.user,
                **forms.person.cleaned_data,
                company=forms.chosen_company(),
                job_title=forms.membership.cleaned_data["job_title"],
            )
        except ValidationError as error:
            # A company registered meanwhile with the same VAT number.
            forms.company.add_error(None, error)
        else:
            messages.success(request, _("Your profile has been saved."))
            return redirect("accounts:profile")
    memberships = request.user.infrastructure_memberships.select_related(
        "infrastructure"
    ).order_by("infrastructure__name")
    context = {"forms": forms, "infrastructure_memberships": memberships}
    return render(request, "accounts/profile_form.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def invitation_create(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    infrastructure = get_object_or_404(
        infrastructures_invitable_by(request.user), slug=slug
    )
    form = InvitationForm(request.POST or None, infrastructure=infrastructure)
    if request.method == "POST" and form.is_valid():
        invitation = services.invitation_create(
            infrastructure=infrastructure,
            **form.cleaned_data,
            invited_by=request.user,
            site_url=settings.PORTAL_SITE_URL,
        )
        messages.success(
            request,
            _("Invitation sent to %(email)s.") % {"email": invitation.email},
        )
        return redirect("accounts:invitation_create", slug=slug)
    invitations = infrastructure.invitations.all()[:20]
    context = {
        "infrastructure": infrastructure,
        "form": form,
        "invitations": invitations,
        "valid_days": INVITATION_VALIDITY.days,
    }
    return render(request, "accounts/invitation_form.html", context)


# How each reason not to accept an invitation answers.
INVITATION_PROBLEM_STATUS = {"used": 410, "expired": 410, "email_mismatch": 403}


@login_required
@require_http_methods(["GET", "POST"])
def invitation_accept(request: AuthenticatedHttpRequest, token: str) -> HttpResponse:
    template = "accounts/invitation_accept.html"
    try:
        invitation = Invitation.objects.select_related("infrastructure").from_token(
            token
        )
        if request.method == "POST":
            services.invitation_accept(invitation=invitation, user=request.user)
        else:
            invitation.check_acceptable_by(request.user)
    except Invitation.DoesNotExist as error:
        raise Http404(_("No such invitation.")) from error
    except ValidationError as problem:
        assert problem.code is not None  # every reason not to accept has a code
        status = INVITATION_PROBLEM_STATUS[problem.code]
        return render(
            request, template, {"problem": problem.messages[0]}, status=status
        )
    if request.method == "GET":
        return render(request, template, {"invitation": invitation})
    messages.success(
        request,
        _("Welcome to the staff of %(infrastructure)s.")
        % {"infrastructure": invitation.infrastructure},
    )
    return redirect("accounts:profile")


@login_required
@require_GET
def personal_data(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = AccountDeleteForm(user=request.user)
    return render(request, "accounts/personal_data.html", {"delete_form": form})


@login_required
@require_GET
def personal_data_download(request: AuthenticatedHttpRequest) -> HttpResponse:
    data = user_data_export(user=request.user)
    filename = f"rii-portal-personal-data-{timezone.localdate():%Y-%m-%d}.json"
    return HttpResponse(
        json.dumps(data, cls=DjangoJSONEncoder, indent=2, ensure_ascii=False),
        content_type="application/json",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@login_required
@require_POST
def account_delete(request: AuthenticatedHttpRequest) -> HttpResponse:
    if limited := ratelimit.consume_or_429(
        request, action="reauthenticate", user=request.user
    ):
        return limited
    form = AccountDeleteForm(request.POST, user=request.user)
    if not form.is_valid():
        return render(request, "accounts/personal_data.html", {"delete_form": form})
    services.user_delete(user=request.user)
    logout(request)
    messages.success(request, _("Your account and your personal data are deleted."))
    return redirect("home")


@login_required
@require_http_methods(["GET", "POST"])
def mfa_enrolment_confirm(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The emailed code a privileged account enters before its first authenticator."""
    if not mfa.needs_email_proof(request, request.user):
        return redirect("mfa_activate_totp")
    form = MfaEmailCodeForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            mfa.mfa_email_code_check(
                request=request, user=request.user, code=form.cleaned_data["code"]
            )
        except ValidationError as problem:
            form.add_error("code", problem)
            status = 400
        else:
            return redirect("mfa_activate_totp")
    elif request.method == "POST":
        status = 400
    context = {"form": form, "address": mfa.verified_address(request.user)}
    return render(
        request, "accounts/mfa_enrolment_confirm.html", context, status=status
    )


@login_required
@require_POST
def mfa_enrolment_code_send(request: AuthenticatedHttpRequest) -> HttpResponse:
    if not mfa.needs_email_proof(request, request.user):
        return redirect("mfa_activate_totp")
    if mfa.mfa_email_code_send(request=request, user=request.user):
        messages.success(request, _("We sent a code to your email address."))
        return redirect("accounts:mfa_enrolment_confirm")
    # Too many codes lately (429), or no verified address to send one to (400).
    address = mfa.verified_address(request.user)
    return render(
        request,
        "accounts/mfa_enrolment_confirm.html",
        {"form": MfaEmailCodeForm(), "address": address, "send_refused": True},
        status=429 if address else 400,
    )
