libchatsync_a_SOURCES += \
	src/cli/cli.h \
	src/cli/cmd_diag.c \
	src/cli/cmd_history.c \
	src/cli/cmd_read.c \
	src/cli/cmd_refresh.c \
	src/cli/cmd_sync.c \
	src/cli/commands.c src/cli/commands.h \
	src/cli/context.c \
	src/cli/demo.c src/cli/demo.h \
	src/cli/options.c \
	src/cli/output.c src/cli/output.h \
	src/cli/rows.c src/cli/rows.h
