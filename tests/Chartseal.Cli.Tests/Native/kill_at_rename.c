/*
 * LD_PRELOAD shim for TrustInterruptionTests: SIGKILLs the process at its N-th rename, counted over all threads
 * (strace's inject=...:when=N counts per thread, and .NET's async writes rename on whichever thread resumes).
 * CHARTSEAL_KILL_AT_RENAME=N selects the rename; CHARTSEAL_RENAME_LOG=FILE appends each renamed destination.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int calls;

static void before_rename(const char *to)
{
    int n = __atomic_add_fetch(&calls, 1, __ATOMIC_SEQ_CST);
    const char *log = getenv("CHARTSEAL_RENAME_LOG");
    if (log != NULL) {
        int fd = open(log, O_WRONLY | O_APPEND | O_CREAT, 0600);
        if (fd >= 0) {
            dprintf(fd, "%s\n", to);
            close(fd);
        }
    }
    const char *at = getenv("CHARTSEAL_KILL_AT_RENAME");
    if (at != NULL && atoi(at) == n) {
        raise(SIGKILL);
    }
}

int rename(const char *from, const char *to)
{
    static int (*real)(const char *, const char *);
    if (real == NULL) {
        real = (int (*)(const char *, const char *))dlsym(RTLD_NEXT, "rename");
    }
    before_rename(to);
    return real(from, to);
}

int renameat(int fromdir, const char *from, int todir, const char *to)
{
    static int (*real)(int, const char *, int, const char *);
    if (real == NULL) {
        real = (int (*)(int, const char *, int, const char *))dlsym(RTLD_NEXT, "renameat");
    }
    before_rename(to);
    return real(fromdir, from, todir, to);
}
