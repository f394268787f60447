# base/: what every layer may use and that depends on nothing of ours: allocation, errors,
# logging with redaction, i18n, XDG paths and file-mode checks, display text, time.
libchatsync_a_SOURCES += \
	src/base/error.c src/base/error.h \
	src/base/i18n.h \
	src/base/log.c src/base/log.h \
	src/base/paths.c src/base/paths.h \
	src/base/text.c src/base/text.h \
	src/base/timefmt.c src/base/timefmt.h \
	src/base/xalloc.c src/base/xalloc.h
