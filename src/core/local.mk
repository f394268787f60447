libchatsync_a_SOURCES += \
	src/core/error.c src/core/error.h \
	src/core/i18n.h \
	src/core/model.c src/core/model.h \
	src/core/xalloc.c src/core/xalloc.h
