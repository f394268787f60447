# sync/: the application services the front ends run on: a session (config, profile, cache), the
# refresh planner and the sync toggle. On base/, core/, net/, api/ and store/.
libchatsync_a_SOURCES += \
	src/sync/details.c \
	src/sync/history.c src/sync/history.h \
	src/sync/refresh.c src/sync/refresh.h src/sync/refresh_int.h \
	src/sync/session.c src/sync/session.h
