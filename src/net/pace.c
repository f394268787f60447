#include "config.h"
#include "net/pace.h"
#include "base/xalloc.h"
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* The documented limits we start from (DOMAIN.md). Graph's Teams limits are per app per tenant:
 * installedApps 30 rps and 1 rps per chat, other Teams GETs (permissionGrants among them) 30 rps;
 * list/get chat 5 rps per user. "N per second" holds for every second wherever it starts, so these
 * are paced by a sliding window of what was sent (W: name, requests, per seconds, concurrency): a
 * request may go when the N-th last send of its bucket is more than the window, its margin and
 * what its answer showed of its lateness ago. A send's lateness is how much longer its round trip
 * took than the quickest of its bucket: the service cannot have counted it later than that. Known
 * once its answer is in, a second before its window mate is due, it costs only the sends that were
 * late. The margin covers what the answers cannot show (how the later send's trip may be shorter
 * than the quickest seen; a new connection's handshake is not in it, pace_sent logs when a request
 * really left). A token bucket (R: name,
 * rps, burst, concurrency) lets burst + rate through in one second, so under a limit of 30 it had
 * to run at 25. Dataverse service protection is per user per environment's web server in a 5-minute
 * sliding window: 6,000 requests, 52 concurrent; a bucket per environment (its instance URL) with a
 * burst of 100 and 19.5 rps lets through at most 100 + 300 x 19.5 = 5,950 requests in any 5
 * minutes. Entra ID publishes no rate for its token endpoint (only External ID tenants have one:
 * 20 requests per second per IP, 200 per tenant; Entra answers 429 with Retry-After when it
 * throttles); a refresh asks one token per environment, and those must go out together (every
 * environment's reads wait for its token), so a burst of 40 at 20 per second, 32 at once. Global Discovery publishes no numbers; a small cap keeps it polite. */
#define PACE_DEFAULT_RULES                         \
	R("graph", 0, 0, 32)                       \
	W("graph:chat", 5, 1.0, 0)                 \
	W("graph:installedApps", 30, 1.0, 0)       \
	W("graph:installedApps:*", 1, 1.0, 0)      \
	W("graph:teams", 30, 1.0, 0)               \
	R("dataverse:*", 19.5, 100, 52)            \
	R("discovery", 10, 10, 8)                  \
	R("entra", 20, 40, 32)                     \
	R("host:*", 0, 0, PACE_HOST_CONCURRENCY)

/* What two sends one window apart may lose between us and the service's count beyond what their
 * answers show: a window bucket starts with PACE_WINDOW_MARGIN, and each 429 it gets doubles its
 * margin, up to PACE_WINDOW_MARGIN_MAX. Each window costs the margin once (100 windows of a
 * 3,000-chat scan cost 100 x the margin). A send's lateness counts up to PACE_WINDOW_LATE_MAX:
 * beyond that the answer was held up on our side (the loop busy with a big page), not on its way. */
#define PACE_WINDOW_MARGIN 0.004
#define PACE_WINDOW_MARGIN_MAX 0.032
#define PACE_WINDOW_LATE_MAX 0.032
/* A window bucket also spaces its sends, so a window's worth never leaves in one burst (a burst
 * reaches the service spread by its queueing, more than the margin) and the sends stay spread in
 * every later window: a virtual schedule (GCRA) one send per PACE_WINDOW_SPACING x window / limit
 * (the last window's sends, spread alike, take that x the limit: 0.3 s at 30 a second),
 * of which a loop may run PACE_WINDOW_AHEAD sends ahead. Running ahead lets a loop that looks late
 * or seldom catch up instead of losing the time, and the spacing is below 1 so that the window,
 * not the spacing, sets the rate. */
#define PACE_WINDOW_SPACING 0.3
#define PACE_WINDOW_AHEAD 3

struct rule {
	char *pattern;  /* without the trailing '*' when wildcard */
	bool wildcard;
	double rps, burst;
	double window; /* > 0: a sliding window of rps * window sends per window seconds */
	int concurrency;
};

struct pace_bucket {
	char *name;
	struct pace_bucket *next; /* hash chain */
	double base_rate, rate, burst, tokens, last;
	/* A window bucket: the times of its last `max` sends, a ring indexed by send number
	 * (taken % max); times never decrease along it. late: beside each, how late its answer
	 * showed it (0 until the answer), and rtt_min the quickest round trip (< 0: none yet). */
	double window, *sent, *late, rtt_min;
	double margin; /* a window bucket's, see PACE_WINDOW_MARGIN */
	int max;
	unsigned long taken;
	double tat; /* the spacing's virtual schedule: when the next send is due */
	int base_conc, conc, dop, in_flight;
	double paused_until;
	double last_cut; /* when the rate was last cut for a 429 */
	struct pace_waitq waitq;
};

struct pace {
	double scale;
	struct rule *rules;
	size_t n_rules;
	struct pace_bucket **slots;
	size_t n_slots, n_buckets;
};

static uint64_t hash_str(const char *s)
{
	uint64_t h = 1469598103934665603ULL; /* FNV-1a */
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
}

struct pace *pace_new(double scale)
{
	struct pace *p = xcalloc(1, sizeof *p);
	p->scale = scale > 0 ? scale : 1.0;
	p->n_slots = 64;
	p->slots = xcalloc(p->n_slots, sizeof *p->slots);
#define R(name, rps, burst, conc) pace_rule(p, name, (rps) * p->scale, (burst) * p->scale, conc);
#define W(name, max, window, conc) pace_rule_window(p, name, (max) * p->scale, window, conc);
	PACE_DEFAULT_RULES
#undef W
#undef R
	return p;
}

void pace_free(struct pace *p)
{
	if (!p)
		return;
	for (size_t i = 0; i < p->n_slots; i++) {
		for (struct pace_bucket *b = p->slots[i], *next; b; b = next) {
			next = b->next;
			free(b->name);
			free(b->sent);
			free(b->late);
			free(b);
		}
	}
	for (size_t i = 0; i < p->n_rules; i++)
		free(p->rules[i].pattern);
	free(p->rules);
	free(p->slots);
	free(p);
}

static struct rule *rule_slot(struct pace *p, const char *pattern)
{
	size_t len = strlen(pattern);
	bool wildcard = len > 0 && pattern[len - 1] == '*';
	if (wildcard)
		len--;
	for (size_t i = 0; i < p->n_rules; i++)
		if (p->rules[i].wildcard == wildcard && strlen(p->rules[i].pattern) == len &&
		    strncmp(p->rules[i].pattern, pattern, len) == 0)
			return &p->rules[i];
	p->rules = xrealloc(p->rules, (p->n_rules + 1) * sizeof *p->rules);
	struct rule *r = &p->rules[p->n_rules++];
	r->pattern = xstrndup(pattern, len);
	r->wildcard = wildcard;
	return r;
}

void pace_rule(struct pace *p, const char *pattern, double rps, double burst, int concurrency)
{
	struct rule *r = rule_slot(p, pattern);
	r->rps = rps > 0 ? rps : 0;
	r->burst = rps > 0 ? (burst >= 1 ? burst : (rps >= 1 ? rps : 1)) : 0;
	r->window = 0;
	r->concurrency = concurrency > 0 ? concurrency : 0;
}

void pace_rule_window(struct pace *p, const char *pattern, double max, double window_s, int concurrency)
{
	struct rule *r = rule_slot(p, pattern);
	int n = (int)(max + 1e-9); /* a fraction of a request is none: round down, never past the limit */
	if (n < 1)
		n = 1;
	r->window = window_s > 0 ? window_s : 1.0;
	r->rps = n / r->window;
	r->burst = n;
	r->concurrency = concurrency > 0 ? concurrency : 0;
}

static void grow(struct pace *p)
{
	size_t n = p->n_slots * 2;
	struct pace_bucket **slots = xcalloc(n, sizeof *slots);
	for (size_t i = 0; i < p->n_slots; i++) {
		for (struct pace_bucket *b = p->slots[i], *next; b; b = next) {
			next = b->next;
			size_t k = hash_str(b->name) & (n - 1);
			b->next = slots[k];
			slots[k] = b;
		}
	}
	free(p->slots);
	p->slots = slots;
	p->n_slots = n;
}

/* The bucket called name, made with rule r's limits on first use. */
static struct pace_bucket *bucket(struct pace *p, const char *name, const struct rule *r)
{
	size_t k = hash_str(name) & (p->n_slots - 1);
	for (struct pace_bucket *b = p->slots[k]; b; b = b->next)
		if (strcmp(b->name, name) == 0)
			return b;
	if (p->n_buckets + 1 > p->n_slots * 3 / 4) {
		grow(p);
		k = hash_str(name) & (p->n_slots - 1);
	}
	struct pace_bucket *b = xcalloc(1, sizeof *b);
	b->name = xstrdup(name);
	b->base_rate = b->rate = r->rps;
	b->burst = b->tokens = r->burst;
	b->last = -1;
	if (r->window > 0) {
		b->window = r->window;
		b->margin = PACE_WINDOW_MARGIN;
		b->max = (int)(r->burst + 1e-9);
		b->sent = xcalloc((size_t)b->max, sizeof *b->sent);
		b->late = xcalloc((size_t)b->max, sizeof *b->late);
		b->rtt_min = -1;
	}
	b->base_conc = b->conc = r->concurrency;
	b->next = p->slots[k];
	p->slots[k] = b;
	p->n_buckets++;
	return b;
}

static void add(struct pace_chain *c, struct pace_bucket *b)
{
	for (int i = 0; i < c->n; i++)
		if (c->b[i] == b)
			return;
	if (c->n < PACE_MAX_CHAIN)
		c->b[c->n++] = b;
}

static void chain_for(struct pace *p, const char *name, struct pace_chain *out)
{
	const struct rule *wild = NULL;
	size_t wild_len = 0;
	struct pace_chain exact = { .n = 0 };
	size_t exact_len[PACE_MAX_CHAIN] = { 0 };
	for (size_t i = 0; i < p->n_rules; i++) {
		const struct rule *r = &p->rules[i];
		size_t len = strlen(r->pattern);
		if (strncmp(name, r->pattern, len) != 0)
			continue;
		if (r->wildcard) {
			if (name[len] != '\0' && (!wild || len > wild_len)) /* "dataverse:" alone names no host */
				wild = r, wild_len = len;
		} else if ((name[len] == '\0' || name[len] == ':') && exact.n < PACE_MAX_CHAIN) {
			exact_len[exact.n] = len;
			exact.b[exact.n++] = bucket(p, r->pattern, r);
		}
	}
	if (wild)
		add(out, bucket(p, name, wild));
	/* Exact rules from the most specific (longest) to the broadest. */
	for (int done = 0; done < exact.n; done++) {
		int best = -1;
		for (int i = 0; i < exact.n; i++)
			if (exact.b[i] && (best < 0 || exact_len[i] > exact_len[best]))
				best = i;
		add(out, exact.b[best]);
		exact.b[best] = NULL;
	}
}

void pace_chain(struct pace *p, const char *name, const char *host, struct pace_chain *out)
{
	out->n = 0;
	if (name && *name)
		chain_for(p, name, out);
	if (host && *host) {
		char *hname = xasprintf("host:%s", host);
		chain_for(p, hname, out);
		free(hname);
	}
}

static void refill(struct pace_bucket *b, double now)
{
	if (b->rate <= 0)
		return;
	if (b->last >= 0 && now > b->last) {
		b->tokens += (now - b->last) * b->rate;
		if (b->tokens > b->burst)
			b->tokens = b->burst;
	}
	if (b->last < 0 || now > b->last)
		b->last = now;
}

/* How many sends a window bucket allows per window now: its limit, or less while a 429 has cut
 * its rate. */
static int window_allows(const struct pace_bucket *b)
{
	int k = (int)(b->rate * b->window + 1e-9);
	return k < 1 ? 1 : k > b->max ? b->max : k;
}

/* The time of the k-th last send (1 <= k <= max), or -1 when there have been fewer. */
static double sent_ago(const struct pace_bucket *b, int k)
{
	if ((unsigned long)k > b->taken)
		return -1;
	return b->sent[(b->taken - (unsigned long)k) % (unsigned long)b->max];
}

/* A window bucket's wait: until its k-th last send has left the window (with the margin and its
 * lateness), and until its spacing's schedule allows. O(1): the ring is indexed, never walked. */
static double window_wait(const struct pace_bucket *b, double now)
{
	int k = window_allows(b);
	double wait = 0, t;
	if ((t = sent_ago(b, k)) >= 0) {
		t += b->late[(b->taken - (unsigned long)k) % (unsigned long)b->max] + b->window + b->margin;
		if (t - now > wait)
			wait = t - now;
	}
	double due = b->tat - PACE_WINDOW_AHEAD * PACE_WINDOW_SPACING * b->window / k;
	if (b->taken > 0 && due - now > wait)
		wait = due - now;
	return wait;
}

double pace_bucket_wait(struct pace_bucket *b, double now)
{
	if (b->conc > 0 && b->in_flight >= b->conc)
		return -1;
	double wait = b->paused_until > now ? b->paused_until - now : 0;
	if (b->window > 0) {
		double w = window_wait(b, now);
		if (w > wait)
			wait = w;
	} else if (b->rate > 0) {
		refill(b, now);
		if (b->tokens < 1 && (1 - b->tokens) / b->rate > wait)
			wait = (1 - b->tokens) / b->rate;
	}
	return wait;
}

double pace_wait_blocker(struct pace_chain *c, double now, struct pace_bucket **blocker)
{
	double wait = 0;
	*blocker = NULL;
	for (int i = 0; i < c->n; i++) {
		double w = pace_bucket_wait(c->b[i], now);
		if (w < 0) { /* full: only a completion helps, whatever the rates say */
			*blocker = c->b[i];
			return -1;
		}
		if (w > wait) {
			wait = w;
			*blocker = c->b[i];
		}
	}
	return wait;
}

double pace_wait(struct pace_chain *c, double now)
{
	struct pace_bucket *b;
	return pace_wait_blocker(c, now, &b);
}

struct pace_waitq *pace_bucket_waitq(struct pace_bucket *b)
{
	return &b->waitq;
}

void pace_remaining(struct pace_chain *c, double now, long remaining)
{
	if (c->n == 0 || remaining < 0)
		return;
	struct pace_bucket *b = c->b[0];
	if (b->window > 0)
		return; /* its own count of what was sent is exact */
	refill(b, now);
	if (b->rate > 0 && b->tokens > (double)remaining)
		b->tokens = (double)remaining;
}

void pace_take(struct pace_chain *c, double now)
{
	for (int i = 0; i < c->n; i++) {
		struct pace_bucket *b = c->b[i];
		if (b->window > 0) {
			double last = sent_ago(b, 1);
			b->tat = (b->tat > now ? b->tat : now) + PACE_WINDOW_SPACING * b->window / window_allows(b);
			c->seq[i] = b->taken;
			b->late[b->taken % (unsigned long)b->max] = 0;
			b->sent[b->taken++ % (unsigned long)b->max] = now > last ? now : last;
		} else if (b->rate > 0) {
			refill(b, now);
			b->tokens -= 1;
		}
		b->in_flight++;
	}
}

void pace_sent(struct pace_chain *c, double now)
{
	for (int i = 0; i < c->n; i++) {
		struct pace_bucket *b = c->b[i];
		if (b->window <= 0 || b->taken - c->seq[i] > (unsigned long)b->max)
			continue; /* no log, or its entry has left the log long ago */
		/* Later sends were logged no later than this one: they can only be as late. The walk
		 * stops at the first already later, so it is as long as the sends of the handshake. */
		for (unsigned long k = c->seq[i]; k < b->taken; k++) {
			double *t = &b->sent[k % (unsigned long)b->max];
			if (*t >= now)
				break;
			*t = now;
		}
	}
}

/* The concurrency a bucket may return to: its documented cap, or the service's hint if lower. */
static int conc_ceiling(const struct pace_bucket *b)
{
	return b->dop > 0 && b->dop < b->base_conc ? b->dop : b->base_conc;
}

/* A window bucket's send seq was answered now: its round trip against the quickest gives its
 * lateness. An entry that has left the log (or was never in it) is not touched. */
static void window_answered(struct pace_bucket *b, unsigned long seq, double now)
{
	if (seq >= b->taken || b->taken - seq > (unsigned long)b->max)
		return;
	size_t at = seq % (unsigned long)b->max;
	double rtt = now - b->sent[at];
	if (rtt < 0)
		return;
	if (b->rtt_min < 0 || rtt < b->rtt_min)
		b->rtt_min = rtt;
	double late = rtt - b->rtt_min;
	b->late[at] = late < PACE_WINDOW_LATE_MAX ? late : PACE_WINDOW_LATE_MAX;
}

void pace_done(struct pace_chain *c, double now, long status, double retry_after, int dop_hint)
{
	bool hinted = false;
	for (int i = 0; i < c->n; i++) {
		struct pace_bucket *b = c->b[i];
		if (b->in_flight > 0)
			b->in_flight--;
		if (b->window > 0 && status > 0)
			window_answered(b, c->seq[i], now);
		if (status == 429) {
			/* Answers to requests that were in flight together report one overload: cut
			 * once per second, not once per answer, or a burst collapses the rate. */
			bool cut = b->last_cut <= 0 || now - b->last_cut >= 1.0;
			if (cut)
				b->last_cut = now;
			if (cut && b->base_rate > 0) {
				/* Never below a quarter of the documented limit: throttling at that rate
				 * is not ours to cure by going slower, and Retry-After pauses the bucket. */
				b->rate /= 2;
				if (b->rate < b->base_rate / 4)
					b->rate = b->base_rate / 4;
				if (b->tokens > b->rate)
					b->tokens = b->rate < 1 ? 0 : b->rate;
			}
			/* A window's 429 also says the service counted two sends closer than we did. */
			if (cut && b->window > 0 && b->margin < PACE_WINDOW_MARGIN_MAX)
				b->margin = b->margin * 2 < PACE_WINDOW_MARGIN_MAX ? b->margin * 2 : PACE_WINDOW_MARGIN_MAX;
			if (cut && b->base_conc > 0 && strncmp(b->name, "host:", 5) != 0 && b->conc > 1)
				b->conc = b->conc * 3 / 4 > 0 ? b->conc * 3 / 4 : 1;
			/* Only the most specific bucket waits out the Retry-After: a per-chat limit
			 * must not stall every other chat. */
			if (i == 0) {
				double until = now + (retry_after >= 0 ? retry_after : 1.0);
				if (until > b->paused_until)
					b->paused_until = until;
			}
		} else if (status >= 200 && status < 400) {
			if (b->base_rate > 0 && b->rate < b->base_rate) {
				b->rate += b->base_rate / 20;
				if (b->rate > b->base_rate)
					b->rate = b->base_rate;
			}
			if (b->base_conc > 0 && b->conc < conc_ceiling(b))
				b->conc++;
		}
		if (dop_hint > 0 && !hinted && b->base_conc > 0 && strncmp(b->name, "host:", 5) != 0) {
			hinted = true;
			b->dop = dop_hint;
			int ceiling = conc_ceiling(b);
			if (b->conc > ceiling)
				b->conc = ceiling;
		}
	}
}

const char *pace_bucket_name(const struct pace_bucket *b) { return b->name; }
double pace_bucket_rate(const struct pace_bucket *b) { return b->rate; }
int pace_bucket_concurrency(const struct pace_bucket *b) { return b->conc; }
int pace_bucket_in_flight(const struct pace_bucket *b) { return b->in_flight; }
