/* fileattr-probe FILE-ATTRIBUTE-IOCTL FILE: tries one file-attribute ioctl on FILE and prints the errno it got
 * (0 for success). The "-high" variants set bit 32 of the command, which the kernel ignores. */
#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(int argc, char **argv) {
    if (argc != 3) { fprintf(stderr, "usage: fileattr-probe getflags|setflags|setflags-high|getxattr|setproject|setproject-high FILE\n"); return 2; }
    int fd = open(argv[2], O_RDONLY | O_NONBLOCK);
    if (fd < 0) { printf("open %d\n", errno); return 1; }
    const char *what = argv[1];
    int flags = 0, result;
    struct fsxattr attributes;
    memset(&attributes, 0, sizeof attributes);
    unsigned long high = 1UL << 32;
    if (!strcmp(what, "getflags")) result = ioctl(fd, FS_IOC_GETFLAGS, &flags);
    else if (!strcmp(what, "setflags") || !strcmp(what, "setflags-high")) {
        ioctl(fd, FS_IOC_GETFLAGS, &flags);
        unsigned long command = FS_IOC_SETFLAGS | (what[8] ? high : 0);
        result = syscall(SYS_ioctl, fd, command, &flags);
    } else if (!strcmp(what, "getxattr")) result = ioctl(fd, FS_IOC_FSGETXATTR, &attributes);
    else if (!strcmp(what, "setproject") || !strcmp(what, "setproject-high")) {
        ioctl(fd, FS_IOC_FSGETXATTR, &attributes);
        attributes.fsx_projid = 0;
        unsigned long command = FS_IOC_FSSETXATTR | (what[10] ? high : 0);
        result = syscall(SYS_ioctl, fd, command, &attributes);
    } else { fprintf(stderr, "unknown probe %s\n", what); return 2; }
    printf("%s %d\n", what, result == 0 ? 0 : errno);
    return 0;
}
