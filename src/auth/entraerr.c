/* Entra's refusals as sentences: the hints for a profile's mistakes, and one sentence with its fix
 * for what a tenant's policies refuse (Microsoft Entra "authentication and authorization error
 * codes"; Conditional Access "Authentication flows", which Microsoft recommends to block the
 * device-code flow with). Calls only net/ (neterr). */
#include "config.h"
#include "auth/authint.h"
#include "base/i18n.h"
#include <stdio.h>
#include <string.h>

const char *auth_entra_sentence(const struct conf_profile *p, const struct neterr_body *eb, bool interactive,
				const char *trace, char *buf, size_t n)
{
	const char *what, *fix;
	bool device = p->auth == CONF_AUTH_DEVICE_CODE && !interactive;
	/* What to try: a person over device code can sign in through a browser instead; an unattended
	 * run needs no person at all (a certificate). */
	const char *other = device ? _("set auth = browser in the profile to sign in through a browser instead, or use "
				       "auth = certificate for unattended runs")
				   : _("use auth = certificate for unattended runs");
	switch (eb->entra_code) {
	case 53003:
		what = device ? _("a Conditional Access policy blocked the sign-in (AADSTS53003); tenants often block the "
				  "device-code flow")
			      : _("a Conditional Access policy blocked the sign-in (AADSTS53003)");
		fix = device ? other
			     : _("ask the Entra admin which policy applied (the sign-in logs name it), or use auth = "
				 "certificate for unattended runs");
		break;
	case 530033:
		what = _("device-code sign-in cannot satisfy the tenant's device-based Conditional Access policy: the "
			 "device that signs in is not the one that gets the token (AADSTS530033)");
		fix = _("set auth = browser in the profile and sign in from a compliant or registered device, or use auth "
			"= certificate for unattended runs");
		break;
	case 530035:
		what = _("the tenant's security defaults block this sign-in (AADSTS530035); they block the device-code "
			 "flow");
		fix = device ? other : _("use auth = certificate for unattended runs, or ask the Entra admin");
		break;
	case 53000:
	case 53001:
	case 50097:
		what = eb->entra_code == 50097
			       ? _("Conditional Access requires device authentication, a registered device (AADSTS50097)")
		       : eb->entra_code == 53000
			       ? _("Conditional Access requires a compliant device, and this one is not (AADSTS53000)")
			       : _("Conditional Access requires a domain-joined device, and this one is not (AADSTS53001)");
		fix = _("set auth = browser and sign in in a browser on a managed device, or use auth = certificate for "
			"unattended runs");
		break;
	case 50076:
		what = _("Entra ID requires multi-factor authentication for this sign-in (AADSTS50076)");
		fix = device ? _("set auth = browser to sign in and complete MFA in the browser, or use auth = "
				 "certificate for unattended runs")
			     : _("run again and complete MFA in the browser, or use auth = certificate for unattended runs");
		break;
	case 50079:
		what = _("the user must register for multi-factor authentication before signing in (AADSTS50079)");
		fix = _("register at https://aka.ms/mysecurityinfo, then sign in again with auth = browser; or use auth = "
			"certificate for unattended runs");
		break;
	case 50158:
		what = _("an external security challenge (a third-party MFA or identity provider) was not satisfied "
			 "(AADSTS50158)");
		fix = device ? _("set auth = browser, where the challenge can be completed, or use auth = certificate for "
				 "unattended runs")
			     : _("run again and complete the challenge in the browser, or use auth = certificate for "
				 "unattended runs");
		break;
	default:
		return NULL;
	}
	if (trace && *trace)
		snprintf(buf, n, _("%s (%s; Entra's trace id %s)"), what, fix, trace);
	else
		snprintf(buf, n, "%s (%s)", what, fix);
	return buf;
}

static const char *hint_for(const struct conf_profile *p, const struct neterr_body *eb, char *buf, size_t n)
{
	const char *code = eb->code;
	if (strcmp(code, "invalid_client") == 0 && p->auth == CONF_AUTH_CLIENT_SECRET) {
		if (p->client_secret_file)
			snprintf(buf, n, _("check the client secret in %s: it may be wrong or expired"),
				 p->client_secret_file);
		else
			snprintf(buf, n, _("check $CHATSYNC_CLIENT_SECRET: it may be wrong or expired"));
	} else if (strcmp(code, "invalid_client") == 0 && p->auth == CONF_AUTH_CERTIFICATE) {
		snprintf(buf, n, _("check that the certificate in %s is uploaded to app registration %s"),
			 p->certificate, p->client_id);
	} else if (strcmp(code, "unauthorized_client") == 0) {
		snprintf(buf, n, _("check client_id %s: the app must be registered in tenant %s"), p->client_id,
			 p->tenant);
	} else if (strcmp(code, "invalid_scope") == 0) {
		snprintf(buf, n, _("check graph_resource and discovery_resource in profile \"%s\""), p->name);
	} else if (eb->entra_code == 90002 || eb->entra_code == 900023) {
		snprintf(buf, n, _("check tenant = %s in profile \"%s\""), p->tenant, p->name);
	} else {
		return NULL;
	}
	return buf;
}

void auth_signin_error(const struct conf_profile *p, const struct net_response *resp, struct cs_error *out)
{
	if (resp->status == 0 || resp->cancelled) {
		cs_fail(out, CS_EXIT_NETWORK, _("sign-in for profile \"%s\" failed: %s"), p->name,
			resp->err ? resp->err->msg : _("no answer"));
		return;
	}
	struct neterr_body eb;
	neterr_parse(resp->body, resp->body_len, &eb);
	char line[768];
	const char *sentence = auth_entra_sentence(p, &eb, p->auth == CONF_AUTH_BROWSER,
						   eb.request_id[0] ? eb.request_id : resp->request_id, line, sizeof line);
	if (sentence) {
		cs_fail(out, CS_EXIT_NETWORK, _("sign-in for profile \"%s\" failed: %s"), p->name, sentence);
		return;
	}
	char hint[512];
	struct neterr_ctx ctx = {
		.service = "Entra ID",
		.method = resp->method,
		.url = resp->url,
		.status = resp->status,
		.body = resp->body,
		.body_len = resp->body_len,
		.request_id = resp->request_id,
		.client_request_id = resp->client_request_id,
		.hint = hint_for(p, &eb, hint, sizeof hint),
		.attempts = resp->attempts,
	};
	struct cs_error e;
	neterr_http(&e, &ctx);
	cs_fail(out, CS_EXIT_NETWORK, _("sign-in for profile \"%s\" failed: %s"), p->name, e.msg);
}
