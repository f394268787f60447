#include "config.h"
#include "sandbox/names.h"
#include "base/xalloc.h"
#include <ctype.h>
#include <string.h>

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* Given names with their ASCII mail spelling; several are not ASCII on purpose. */
static const char *const given[][2] = {
	{ "Adele", "adele" }, { "Alex", "alex" }, { "Allan", "allan" }, { "Ana", "ana" },
	{ "Björn", "bjoern" }, { "Chloé", "chloe" }, { "Christie", "christie" }, { "Debra", "debra" },
	{ "Diego", "diego" }, { "Émilie", "emilie" }, { "Grady", "grady" }, { "Henrietta", "henrietta" },
	{ "Isaiah", "isaiah" }, { "Jörg", "joerg" }, { "Johanna", "johanna" }, { "Joni", "joni" },
	{ "Lee", "lee" }, { "Lidia", "lidia" }, { "Lynne", "lynne" }, { "Megan", "megan" },
	{ "Miriam", "miriam" }, { "Nestor", "nestor" }, { "Patti", "patti" }, { "Pradeep", "pradeep" },
	{ "Søren", "soeren" }, { "Zoë", "zoe" }, { "Ayşe", "ayse" }, { "François", "francois" },
	{ "Łukasz", "lukasz" }, { "Siobhán", "siobhan" }, { "Ingrid", "ingrid" }, { "Kenji", "kenji" },
	{ "Yuki", "yuki" }, { "Mateo", "mateo" }, { "Priya", "priya" }, { "Olumide", "olumide" },
};

static const char *const family[][2] = {
	{ "Vance", "vance" }, { "Wilber", "wilber" }, { "Deyoung", "deyoung" }, { "García", "garcia" },
	{ "Müller", "mueller" }, { "Lefèvre", "lefevre" }, { "Cline", "cline" }, { "Berg", "berg" },
	{ "Siciliani", "siciliani" }, { "Gonzales", "gonzales" }, { "Archie", "archie" }, { "Holden", "holden" },
	{ "Bowen", "bowen" }, { "Brown", "brown" }, { "Fernandez", "fernandez" }, { "Sherman", "sherman" },
	{ "Gupta", "gupta" }, { "Adams", "adams" }, { "Robbins", "robbins" }, { "Øvergaard", "oevergaard" },
	{ "Dvořák", "dvorak" }, { "Kowalczyk", "kowalczyk" }, { "Ó Briain", "obriain" }, { "Yılmaz", "yilmaz" },
	{ "Tanaka", "tanaka" }, { "Nakamura", "nakamura" }, { "Okafor", "okafor" }, { "Schröder", "schroeder" },
	{ "Lindqvist", "lindqvist" }, { "Rossi", "rossi" }, { "Novák", "novak" }, { "Costa", "costa" },
};

static const char *const companies[] = {
	"Contoso Pharmaceuticals", "Fabrikam Inc.", "Adventure Works Cycles", "Northwind Traders",
	"Litware, Inc.", "Tailspin Toys", "Wingtip Toys", "Woodgrove Bank", "Alpine Ski House",
	"Coho Winery", "Fourth Coffee", "Lamna Healthcare", "Relecloud", "Trey Research",
	"Müller GmbH", "Société Générale d'Études", "Åkerlund & Rausing AB", "Kowalski Sp. z o.o.",
	"株式会社サンプル", "Proseware, Inc.", "Wide World Importers", "Blue Yonder Airlines",
	"Graphic Design Institute", "City Power & Light", "Humongous Insurance", "Margie's Travel",
};

static const char *const topic_forms[] = {
	"Renewal %s", "Quote review – %s", "%s onboarding", "Escalation: %s delivery delay",
	"%s Q3 pipeline", "Pricing questions (%s)", "%s contract redlines", "Kick-off with %s",
	"Support case follow-up – %s", "%s / invoice dispute", "Angebot für %s", "Devis %s — révision",
	"%s: site visit planning", "Upsell opportunity %s", "%s – Vertragsverlängerung",
	"%s 見積もり確認", "Warranty claim %s", "Procurement call %s",
};

const char *const sb_special_topics[] = {
	"Überprüfung Angebot – Müller GmbH",
	"東京オフィス",
	NULL,
};

char *sb_name_person(struct sb_rng *r, char **mail_local)
{
	uint32_t g = sb_rng_below(r, COUNT(given)), f = sb_rng_below(r, COUNT(family));
	if (mail_local) {
		*mail_local = xasprintf("%s.%s", given[g][1], family[f][1]);
	}
	return xasprintf("%s %s", given[g][0], family[f][0]);
}

const char *sb_name_company(struct sb_rng *r)
{
	return companies[sb_rng_below(r, COUNT(companies))];
}

/* The forms hold one "%s"; filled by hand so the format stays a literal for the compiler. */
char *sb_name_topic(struct sb_rng *r, const char *company)
{
	const char *form = topic_forms[sb_rng_below(r, COUNT(topic_forms))];
	const char *hole = strstr(form, "%s");
	return xasprintf("%.*s%s%s", (int)(hole - form), form, company, hole + 2);
}

char *sb_name_topic_long(struct sb_rng *r, const char *company)
{
	/* Teams allows long topics; this one passes 200 bytes so truncation code gets exercised. */
	return xasprintf("%s – cross-functional working group for the migration of legacy order "
			 "management, invoicing and field service scheduling to the new platform, "
			 "including data cleansing, user training, cut-over weekend planning and "
			 "hypercare (phase %u of 4)",
			company, 1 + sb_rng_below(r, 4));
}
