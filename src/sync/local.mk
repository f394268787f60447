libchatsync_a_SOURCES += \
	src/sync/details.c \
	src/sync/refresh.c src/sync/refresh.h src/sync/refresh_int.h
