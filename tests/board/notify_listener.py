#!/usr/bin/env python3
"""notify_listener.py: plays systemd's side of sd_notify for tests.

Binds an AF_UNIX datagram socket (the NOTIFY_SOCKET a test gives the kiosk) and appends one line
per message to a log file, with the monotonic time it arrived:

    <seconds since an arbitrary start, CLOCK_MONOTONIC, 6 decimals> <message, newlines as \\n>

e.g. "12345.678901 READY=1\\nSTATUS=serving". The file is flushed after every line, so a test
can read it while the listener runs. Exits cleanly on SIGTERM or SIGINT.

usage: notify_listener.py SOCKET LOGFILE [--ready FILE]

  SOCKET   a path, or @name for an abstract socket (nothing to clean up); pass the same
           string as NOTIFY_SOCKET to the process under test
  LOGFILE  where the lines go (created or truncated)
  --ready FILE  touched once the socket is bound, so a test can wait for it instead of sleeping

A shell test then checks the lines, for example:
    grep -c 'WATCHDOG=1' LOGFILE                    # kicks received
    awk '$2 == "WATCHDOG=1" {print $1}' LOGFILE     # when they came: gaps must stay < interval

To give the kiosk a watchdog, start it with NOTIFY_SOCKET=SOCKET WATCHDOG_USEC=<microseconds>
(and no WATCHDOG_PID, or WATCHDOG_PID=<its pid or its parent's pid>).
"""
import os
import signal
import socket
import sys
import time


def main(argv):
    args = argv[1:]
    ready = None
    if "--ready" in args:
        i = args.index("--ready")
        if i + 1 >= len(args):
            print(__doc__, file=sys.stderr)
            return 2
        ready = args[i + 1]
        del args[i : i + 2]
    if len(args) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    path, logfile = args

    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    address = "\0" + path[1:] if path.startswith("@") else path
    if not path.startswith("@") and os.path.exists(path):
        os.unlink(path)
    sock.bind(address)
    stopping = False

    def stop(_signo, _frame):
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    # Wake up now and then to notice a signal that came while no message did.
    sock.settimeout(0.2)

    with open(logfile, "w", encoding="utf-8") as out:
        if ready:
            with open(ready, "w", encoding="utf-8"):
                pass
        while not stopping:
            try:
                data = sock.recv(65536)
            except socket.timeout:
                continue
            except InterruptedError:
                continue
            stamp = time.monotonic()
            text = data.decode("utf-8", "replace").replace("\\", "\\\\").replace("\n", "\\n")
            out.write(f"{stamp:.6f} {text}\n")
            out.flush()
    sock.close()
    if not path.startswith("@"):
        try:
            os.unlink(path)
        except FileNotFoundError:
            pass
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
