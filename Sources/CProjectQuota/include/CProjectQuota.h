#ifndef BERTH_CPROJECTQUOTA_H
#define BERTH_CPROJECTQUOTA_H

#include <stdint.h>

/// Project quotas (XFS, ext4) through the calls Swift cannot make itself: the variadic ioctl and
/// quotactl_fd(2). Each returns 0, or -1 with errno set.

/// The project id of the file or folder open as `fd`.
int berth_project_of(int fd, uint32_t *project);

/// Gives the file or folder open as `fd` the project id `project`; a folder also gets the inheritance
/// flag, so what is made in it later belongs to the same project.
int berth_set_project(int fd, uint32_t project);

/// Gives everything in the folder open as `dirfd`, itself included, the project id `project`. Walks by
/// descriptor, never by path, and never through a symbolic link (links themselves keep theirs).
int berth_set_project_of_tree(int dirfd, uint32_t project);

/// Whether the file system holding `fd` counts (`accounting`) and enforces (`enforcing`) project quotas.
int berth_project_quota_state(int fd, int *accounting, int *enforcing);

/// Sets project `project`'s hard limits on the file system holding `fd`: bytes (rounded down to 512) and
/// inodes; 0 means none.
int berth_set_project_limit(int fd, uint32_t project, uint64_t bytes, uint64_t inodes);

/// What project `project` holds on the file system holding `fd`, and its byte limit (0 for none).
int berth_project_usage(int fd, uint32_t project, uint64_t *bytes, uint64_t *inodes, uint64_t *limit_bytes);

#endif
