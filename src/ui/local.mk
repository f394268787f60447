# ui sources: the interactive console (the only place that includes curses).
libchatsync_a_SOURCES += \
	src/ui/colors.c src/ui/colors.h \
	src/ui/command.c \
	src/ui/data.c src/ui/data.h \
	src/ui/input.c src/ui/input.h \
	src/ui/keys.c src/ui/keys.h \
	src/ui/layout.c src/ui/layout.h \
	src/ui/loader.c src/ui/loader.h \
	src/ui/prompt.c src/ui/prompt.h \
	src/ui/reload.c src/ui/reload.h \
	src/ui/request.c src/ui/request.h \
	src/ui/screen.c src/ui/screen.h \
	src/ui/ui.c src/ui/ui.h \
	src/ui/view.c src/ui/view.h \
	src/ui/view_audit.c \
	src/ui/view_changes.c \
	src/ui/view_chats.c \
	src/ui/view_diag.c \
	src/ui/view_envs.c \
	src/ui/view_help.c \
	src/ui/view_log.c \
	src/ui/view_rsc.c \
	src/ui/worker.c src/ui/worker.h
