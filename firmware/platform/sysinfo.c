/* sysinfo.c: what maintenance mode and the heartbeat report about the machine: its network
 * interfaces and the free space under the data dir. */
#include "platform/platform.h"

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <malloc.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <valgrind/memcheck.h>

bool ck_net_describe(char *out, size_t outlen)
{
    struct ifaddrs *ifs = NULL;
    out[0] = '\0';
    if (getifaddrs(&ifs) != 0)
        return false;
    bool up = false;
    size_t n = 0;
    for (struct ifaddrs *i = ifs; i; i = i->ifa_next) {
        if (!i->ifa_addr || (i->ifa_flags & IFF_LOOPBACK))
            continue;
        int fam = i->ifa_addr->sa_family;
        if (fam != AF_INET && fam != AF_INET6)
            continue;
        char addr[INET6_ADDRSTRLEN] = "";
        const void *a = fam == AF_INET ? (const void *)&((struct sockaddr_in *)i->ifa_addr)->sin_addr
                                       : (const void *)&((struct sockaddr_in6 *)i->ifa_addr)->sin6_addr;
        inet_ntop(fam, a, addr, sizeof addr);
        bool running = (i->ifa_flags & IFF_UP) && (i->ifa_flags & IFF_RUNNING);
        up = up || running;
        if (n < outlen)
            n += (size_t)snprintf(out + n, outlen - n, "%s%s %s%s", n ? ", " : "", i->ifa_name,
                                  addr, running ? "" : " (down)");
    }
    freeifaddrs(ifs);
    return up;
}

void ck_thread_background(void)
{
    /* On Linux nice is per thread: PRIO_PROCESS with the thread's own id. Failure (a sandbox
     * without the right) only leaves it at the UI's priority. */
    (void)setpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid), 10);
}

void ck_mem_usage(long *heap_bytes, long *rss_kb)
{
    struct mallinfo2 mi = mallinfo2();
    *heap_bytes = (long)(mi.uordblks + mi.hblkhd);
    if (RUNNING_ON_VALGRIND) {
        /* Valgrind's malloc keeps no mallinfo: ask memcheck for every block still allocated
         * (reachable, or not). Its client requests are no-ops off valgrind. */
        unsigned long leaked = 0, dubious = 0, reachable = 0, suppressed = 0;
        VALGRIND_DO_QUICK_LEAK_CHECK;
        VALGRIND_COUNT_LEAKS(leaked, dubious, reachable, suppressed);
        *heap_bytes = (long)(leaked + dubious + reachable + suppressed);
    }
    *rss_kb = -1;
    FILE *f = fopen("/proc/self/statm", "r");
    long pages, resident;
    if (f && fscanf(f, "%ld %ld", &pages, &resident) == 2)
        *rss_kb = resident * (sysconf(_SC_PAGESIZE) / 1024);
    if (f)
        fclose(f);
}

long ck_fs_free_mb(const char *dir)
{
    struct statvfs v;
    if (statvfs(dir, &v) != 0)
        return -1;
    return (long)((unsigned long long)v.f_bavail * v.f_frsize / (1024 * 1024));
}
