/* sysinfo.c: what maintenance mode and the heartbeat report about the machine: its network
 * interfaces and the free space under the data dir. */
#include "platform/platform.h"

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/statvfs.h>

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

long ck_fs_free_mb(const char *dir)
{
    struct statvfs v;
    if (statvfs(dir, &v) != 0)
        return -1;
    return (long)((unsigned long long)v.f_bavail * v.f_frsize / (1024 * 1024));
}
