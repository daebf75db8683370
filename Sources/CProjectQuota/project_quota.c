#define _GNU_SOURCE
#include "CProjectQuota.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/dqblk_xfs.h>
#include <linux/fs.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/quota.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef SYS_quotactl_fd
#define SYS_quotactl_fd 443
#endif
#ifndef PRJQUOTA
#define PRJQUOTA 2
#endif

static int quotactl_on(int fd, int command, uint32_t project, void *address) {
    return (int)syscall(SYS_quotactl_fd, fd, QCMD(command, PRJQUOTA), project, address);
}

int berth_project_of(int fd, uint32_t *project) {
    struct fsxattr attributes;
    if (ioctl(fd, FS_IOC_FSGETXATTR, &attributes) != 0) return -1;
    *project = attributes.fsx_projid;
    return 0;
}

int berth_set_project(int fd, uint32_t project) {
    struct fsxattr attributes;
    struct stat info;
    if (fstat(fd, &info) != 0 || ioctl(fd, FS_IOC_FSGETXATTR, &attributes) != 0) return -1;
    uint32_t flags = attributes.fsx_xflags;
    if (S_ISDIR(info.st_mode)) flags |= FS_XFLAG_PROJINHERIT;
    if (attributes.fsx_projid == project && attributes.fsx_xflags == flags) return 0;
    attributes.fsx_projid = project;
    attributes.fsx_xflags = flags;
    return ioctl(fd, FS_IOC_FSSETXATTR, &attributes);
}

int berth_set_project_of_tree(int dirfd, uint32_t project) {
    if (berth_set_project(dirfd, project) != 0) return -1;
    int listing = dup(dirfd);
    if (listing < 0) return -1;
    DIR *folder = fdopendir(listing);
    if (!folder) {
        close(listing);
        return -1;
    }
    rewinddir(folder);
    int status = 0;
    struct dirent *entry;
    while (status == 0 && (errno = 0, entry = readdir(folder)) != NULL) {
        if (!strcmp(entry->d_name, ".") || !strcmp(entry->d_name, "..")) continue;
        // Links are not opened (O_NOFOLLOW fails on them); devices, sockets and pipes are passed over, as
        // opening them could block or act. Files and folders are all a volume's bytes are.
        int child = openat(dirfd, entry->d_name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
        if (child < 0) {
            if (errno == ELOOP || errno == ENOENT || errno == ENXIO || errno == EACCES) continue;
            status = -1;
            break;
        }
        struct stat info;
        if (fstat(child, &info) != 0) status = -1;
        else if (S_ISDIR(info.st_mode)) status = berth_set_project_of_tree(child, project);
        else if (S_ISREG(info.st_mode)) status = berth_set_project(child, project);
        int saved = errno;
        close(child);
        errno = saved;
    }
    if (status == 0 && errno != 0) status = -1;
    int saved = errno;
    closedir(folder);
    errno = saved;
    return status;
}

int berth_project_quota_state(int fd, int *accounting, int *enforcing) {
    struct fs_quota_statv state;
    memset(&state, 0, sizeof state);
    state.qs_version = FS_QSTATV_VERSION1;
    if (quotactl_on(fd, Q_XGETQSTATV, 0, &state) != 0) return -1;
    *accounting = (state.qs_flags & FS_QUOTA_PDQ_ACCT) != 0;
    *enforcing = (state.qs_flags & FS_QUOTA_PDQ_ENFD) != 0;
    return 0;
}

int berth_set_project_limit(int fd, uint32_t project, uint64_t bytes, uint64_t inodes) {
    struct fs_disk_quota limit;
    memset(&limit, 0, sizeof limit);
    limit.d_version = FS_DQUOT_VERSION;
    limit.d_flags = FS_PROJ_QUOTA;
    limit.d_id = project;
    limit.d_fieldmask = FS_DQ_BHARD | FS_DQ_BSOFT | FS_DQ_IHARD | FS_DQ_ISOFT;
    limit.d_blk_hardlimit = bytes / 512;
    limit.d_ino_hardlimit = inodes;
    return quotactl_on(fd, Q_XSETQLIM, project, &limit);
}

int berth_project_usage(int fd, uint32_t project, uint64_t *bytes, uint64_t *inodes, uint64_t *limit_bytes) {
    struct fs_disk_quota usage;
    memset(&usage, 0, sizeof usage);
    if (quotactl_on(fd, Q_XGETQUOTA, project, &usage) != 0) {
        // A project that never held anything has no record yet.
        if (errno != ENOENT) return -1;
        *bytes = *inodes = *limit_bytes = 0;
        return 0;
    }
    *bytes = usage.d_bcount * 512;
    *inodes = usage.d_icount;
    *limit_bytes = usage.d_blk_hardlimit * 512;
    return 0;
}
