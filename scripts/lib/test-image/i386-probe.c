/* i386-probe: a 32-bit x86 program (as SteamCMD and older game servers are) that makes its system calls through
 * int 0x80, with no C library: prints "32-bit ok" when getpid, socket and write all work, else "32-bit failed". */
static int call(int number, int a, int b, int c) {
    int result;
    __asm__ volatile("int $0x80" : "=a"(result) : "a"(number), "b"(a), "c"(b), "d"(c) : "memory");
    return result;
}

void _start(void) {
    static const char ok[] = "32-bit ok\n", failed[] = "32-bit failed\n";
    int pid = call(20, 0, 0, 0);           /* getpid */
    int socket = call(359, 1, 1, 0);       /* socket(AF_UNIX, SOCK_STREAM, 0) */
    int fine = pid > 0 && socket >= 0;
    call(4, 1, (int)(fine ? ok : failed), fine ? sizeof ok - 1 : sizeof failed - 1); /* write */
    call(1, fine ? 0 : 1, 0, 0);           /* exit */
    for (;;) {}
}
