#ifndef BERTH_CCONFINEDFILES_H
#define BERTH_CCONFINEDFILES_H

#include <stdint.h>
#include <linux/openat2.h>

/// openat2(2), which glibc does not wrap: opens `path` relative to `dirfd`, resolved as `resolve` says.
int berth_openat2(int dirfd, const char *path, int flags, uint32_t mode, uint64_t resolve);

/// renameat2(2) with RENAME_NOREPLACE: moves an entry without ever replacing one already there.
int berth_rename_noreplace(int olddirfd, const char *oldpath, int newdirfd, const char *newpath);

/// syncfs(2): flushes the file system that holds `fd`, which Swift does not see without _GNU_SOURCE.
int berth_syncfs(int fd);

/// O_PATH, which Swift does not see without _GNU_SOURCE.
extern const int berth_open_path;

#endif
