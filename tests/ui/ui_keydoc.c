/* Prints the console's keys and commands from the request table (src/ui/request.h), as README's
 * table (markdown) or the man page's entries (man): tests/ui/test_keydoc.sh compares both
 * documents with it, and `tests/ui/ui_keydoc man` regenerates the part of either. */
#include "config.h"
#include <stdio.h>
#include <string.h>
#include "ui/request.h"

int main(int argc, char **argv)
{
	if (argc != 2 || (strcmp(argv[1], "man") != 0 && strcmp(argv[1], "markdown") != 0)) {
		fprintf(stderr, "usage: ui_keydoc man|markdown\n");
		return 2;
	}
	ui_request_doc(stdout, argv[1]);
	return 0;
}
