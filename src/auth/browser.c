/* The interactive part of a browser sign-in (auth = browser): the authorization code flow with
 * PKCE for a public client and a loopback redirect URI, as Microsoft's identity platform documents
 * it ("OAuth 2.0 authorization code flow"; RFC 7636, RFC 8252). It makes the verifier, its S256
 * challenge and the state, listens on 127.0.0.1 at an ephemeral port, shows the /authorize address,
 * and waits (bounded) for the browser to come back to the listener or for the person to paste the
 * address it was sent to. The code is taken only with this sign-in's state. auth.c redeems it.
 * Nothing here is logged: the code and the verifier are secrets. */
#include "config.h"
#include "auth/authint.h"
#include "auth/jwt.h"
#include "base/i18n.h"
#include "base/log.h"
#include "base/text.h"
#include "base/xalloc.h"
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define PASTE_MAX 8192
#define POLL_MS 200

void browser_code_free(struct browser_code *c)
{
	auth_wipe(c->code);
	auth_wipe(c->verifier);
	free(c->redirect_uri);
	memset(c, 0, sizeof *c);
}

static char *random_b64url(size_t bytes)
{
	unsigned char raw[64];
	if (RAND_bytes(raw, (int)bytes) != 1)
		return NULL;
	char *s = jwt_b64url(raw, bytes);
	OPENSSL_cleanse(raw, sizeof raw);
	return s;
}

static char *s256(const char *verifier)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0;
	if (EVP_Digest(verifier, strlen(verifier), md, &n, EVP_sha256(), NULL) != 1)
		return NULL;
	return jwt_b64url(md, n);
}

/* The listener: 127.0.0.1, a port the kernel picks. -1 with err. */
static int listen_loopback(int *port, struct cs_error *err)
{
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = 0 };
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	socklen_t len = sizeof sa;
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof sa) != 0 || listen(fd, 4) != 0 ||
	    getsockname(fd, (struct sockaddr *)&sa, &len) != 0) {
		int e = errno;
		if (fd >= 0)
			close(fd);
		return cs_fail(err, CS_EXIT_NETWORK,
			       _("browser sign-in failed: cannot listen on 127.0.0.1 for the browser's answer: %s (check that "
				 "the loopback interface is up)"),
			       strerror(e));
	}
	*port = ntohs(sa.sin_port);
	return fd;
}

static int hexval(int c)
{
	return isdigit(c) ? c - '0' : isxdigit(c) ? (tolower(c) - 'a' + 10) : -1;
}

/* The decoded value of name in a query string (up to '#' or the end), or NULL. Caller owns. */
static char *query_get(const char *q, const char *name)
{
	size_t nl = strlen(name);
	const char *p = q;
	while (p && *p && *p != '#') {
		const char *end = p + strcspn(p, "&#");
		if ((size_t)(end - p) > nl && !strncmp(p, name, nl) && p[nl] == '=') {
			char *out = xmalloc((size_t)(end - p) + 1), *o = out;
			for (const char *s = p + nl + 1; s < end; s++) {
				if (*s == '%' && s + 2 < end + 1 && hexval(s[1]) >= 0 && hexval(s[2]) >= 0) {
					*o++ = (char)(hexval(s[1]) * 16 + hexval(s[2]));
					s += 2;
				} else {
					*o++ = *s == '+' ? ' ' : *s;
				}
			}
			*o = '\0';
			return out;
		}
		p = *end == '&' ? end + 1 : NULL;
	}
	return NULL;
}

/* Takes the code out of the address the browser was sent to (or the request target the listener
 * got): 1 with out->code, 0 when it is no answer to a sign-in at all (a favicon), -1 with err. */
static int take_answer(const struct conf_profile *p, const char *addr, const char *state, struct browser_code *out,
		       struct cs_error *err)
{
	while (isspace((unsigned char)*addr))
		addr++;
	const char *q = strchr(addr, '?');
	q = q ? q + 1 : addr;
	char *code = query_get(q, "code"), *got_state = query_get(q, "state"), *error = query_get(q, "error");
	char *desc = query_get(q, "error_description");
	int rc = 0;
	if (!code && !error) {
		rc = 0;
	} else if (!got_state || strlen(got_state) != strlen(state) ||
		   CRYPTO_memcmp(got_state, state, strlen(state)) != 0) {
		rc = cs_fail(err, CS_EXIT_NETWORK,
			     _("sign-in for profile \"%s\" refused the address: its state is not the one this sign-in sent, so "
			       "it answers another sign-in or was forged (paste the address the browser shows after signing "
			       "in with the link chatsync printed this time, or run again)"),
			     p->name);
	} else if (error) {
		char *shown = text_sanitize(desc ? desc : error);
		char line[512];
		struct neterr_body eb = { 0 };
		snprintf(eb.code, sizeof eb.code, "%s", error);
		eb.entra_code = desc && !strncmp(desc, "AADSTS", 6) ? atol(desc + 6) : 0;
		const char *sentence = auth_entra_sentence(p, &eb, true, NULL, line, sizeof line);
		if (sentence)
			rc = cs_fail(err, CS_EXIT_NETWORK, _("sign-in for profile \"%s\" failed: %s"), p->name, sentence);
		else
			rc = cs_fail(err, CS_EXIT_NETWORK,
				     _("sign-in for profile \"%s\" failed in the browser: %s (%s; run again, or ask the Entra "
				       "admin with this message)"),
				     p->name, error, shown);
		free(shown);
	} else {
		out->code = code;
		code = NULL;
		rc = 1;
	}
	auth_wipe(code);
	free(got_state);
	free(error);
	free(desc);
	return rc;
}

/* One connection to the listener: reads the request line, answers the browser with a page. */
static int serve_one(int lfd, const struct conf_profile *p, const char *state, struct browser_code *out,
		     struct cs_error *err)
{
	int fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
	if (fd < 0)
		return 0;
	struct timeval tv = { .tv_sec = 5 };
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
	char req[PASTE_MAX];
	size_t n = 0;
	while (n < sizeof req - 1 && !memchr(req, '\n', n)) {
		ssize_t r = recv(fd, req + n, sizeof req - 1 - n, 0);
		if (r <= 0)
			break;
		n += (size_t)r;
	}
	req[n] = '\0';
	int rc = 0;
	const char *target = NULL;
	if (!strncmp(req, "GET ", 4)) {
		target = req + 4;
		req[4 + strcspn(req + 4, " \r\n")] = '\0';
		rc = take_answer(p, target, state, out, err);
	}
	const char *page = rc > 0 ? _("chatsync: signed in. You can close this page.")
			   : rc < 0 ? _("chatsync: this sign-in was refused; the terminal says why.")
				    : "";
	char *resp = xasprintf("HTTP/1.1 %s\r\nContent-Type: text/plain; charset=utf-8\r\nCache-Control: no-store\r\n"
			       "Connection: close\r\nContent-Length: %zu\r\n\r\n%s",
			       rc != 0 ? "200 OK" : "404 Not Found", strlen(page), page);
	ssize_t w = send(fd, resp, strlen(resp), MSG_NOSIGNAL);
	(void)w;
	free(resp);
	OPENSSL_cleanse(req, sizeof req);
	close(fd);
	return rc;
}

int auth_paste_listener_only(char *buf, int size, int wake_fd, int timeout_ms, void *user)
{
	(void)buf, (void)size, (void)user;
	struct pollfd w = { .fd = wake_fd, .events = POLLIN };
	poll(&w, 1, timeout_ms);
	return 0;
}

int browser_tty_paste(char *buf, int size, int wake_fd, int timeout_ms, void *user)
{
	(void)user;
	/* No terminal (cron, a pipe): only the listener can get the answer. */
	int tty = open("/dev/tty", O_RDONLY | O_NOCTTY | O_CLOEXEC);
	struct pollfd fds[2] = { { .fd = wake_fd, .events = POLLIN }, { .fd = tty, .events = POLLIN } };
	int rc = poll(fds, tty >= 0 ? 2 : 1, timeout_ms);
	int got = 0;
	if (rc > 0 && tty >= 0 && (fds[1].revents & POLLIN) && !(fds[0].revents & POLLIN)) {
		ssize_t r = read(tty, buf, (size_t)size - 1);
		got = r > 0 ? (int)r : -1; /* end of file (Ctrl-D): the person gives up */
		if (r > 0)
			buf[r] = '\0';
	}
	if (tty >= 0)
		close(tty);
	return got;
}

int browser_get_code(struct net *net, const struct conf_profile *p, const char *scope, const struct browser_ui *ui,
		     struct browser_code *out, struct cs_error *err)
{
	memset(out, 0, sizeof *out);
	int port = 0;
	int lfd = listen_loopback(&port, err);
	if (lfd < 0)
		return -1;
	char *verifier = random_b64url(32), *state = random_b64url(16);
	char *challenge = verifier ? s256(verifier) : NULL;
	if (!verifier || !state || !challenge) {
		close(lfd);
		auth_wipe(verifier);
		free(state);
		free(challenge);
		return cs_fail(err, CS_EXIT_NETWORK, _("browser sign-in failed: no random numbers for the PKCE verifier"));
	}
	char *redirect = xasprintf("http://localhost:%d", port);
	char *e_client = net_form_escape(p->client_id), *e_redirect = net_form_escape(redirect);
	char *e_scope = net_form_escape(scope);
	char *url = xasprintf("%s/%s/oauth2/v2.0/authorize?client_id=%s&response_type=code&redirect_uri=%s"
			      "&response_mode=query&scope=%s&state=%s&code_challenge=%s&code_challenge_method=S256",
			      p->authority, p->tenant, e_client, e_redirect, e_scope, state, challenge);
	free(e_client);
	free(e_redirect);
	free(e_scope);
	free(challenge);
	char *msg = xasprintf(_("To sign in, open this address in a browser: %s\nIf the browser runs on another machine "
				"(SSH), it cannot come back here: after signing in, copy the address it shows (it "
				"starts with %s/?code=) and paste it here, then press Enter."),
			      url, redirect);
	ui->prompt(msg, NULL, url, ui->prompt_user);
	free(msg);
	free(url);
	log_info("profile %s: browser sign-in waiting on %s", p->name, redirect);
	double deadline = net_now() + ui->timeout_s;
	int rc = 0;
	char *paste = xmalloc(PASTE_MAX);
	while (rc == 0) {
		if (net_cancelled(net)) {
			rc = cs_fail(err, CS_EXIT_NETWORK, _("sign-in for profile \"%s\" was abandoned: interrupted"), p->name);
			break;
		}
		double left = deadline - net_now();
		if (left <= 0) {
			rc = cs_fail(err, CS_EXIT_NETWORK,
				     _("sign-in for profile \"%s\" timed out: no answer from the browser within %.0f minutes (run "
				       "again; over SSH, paste the address the browser shows after signing in)"),
				     p->name, ui->timeout_s / 60);
			break;
		}
		struct pollfd pfd = { .fd = lfd, .events = POLLIN };
		if (poll(&pfd, 1, 0) > 0) {
			rc = serve_one(lfd, p, state, out, err);
			continue;
		}
		int n = ui->paste(paste, PASTE_MAX, lfd, left * 1000 < POLL_MS ? (int)(left * 1000) + 1 : POLL_MS,
				  ui->paste_user);
		if (n < 0) {
			rc = cs_fail(err, CS_EXIT_NETWORK, _("sign-in for profile \"%s\" was abandoned: nothing was pasted"),
				     p->name);
		} else if (n > 0) {
			paste[strcspn(paste, "\r\n")] = '\0';
			rc = take_answer(p, paste, state, out, err);
			if (rc == 0)
				rc = cs_fail(err, CS_EXIT_NETWORK,
					     _("sign-in for profile \"%s\" refused the address: it holds no code (paste the "
					       "whole address the browser shows after signing in, starting with %s/?code=)"),
					     p->name, redirect);
		}
	}
	OPENSSL_cleanse(paste, PASTE_MAX);
	free(paste);
	close(lfd);
	free(state);
	if (rc < 0) {
		auth_wipe(verifier);
		free(redirect);
		browser_code_free(out);
		return -1;
	}
	out->verifier = verifier;
	out->redirect_uri = redirect;
	return 0;
}
