#!/usr/bin/env bash
# setup-board.sh: turns a fresh Debian 12 board (Raspberry Pi 4/5 or x86 mini PC) into a Civic
# Kiosk that boots straight into the kiosk. Idempotent: run it again after an update, or after
# changing its options; what is already in place is left alone ("unchanged").
#
#   sudo board/setup-board.sh [options]
#
# options:
#   --from DIR        where the built kiosk is: a build dir (DIR/civic-kiosk, as `tools/dev build`
#                     leaves it; assets from this repository) or an installed-style tree
#                     (DIR/bin/civic-kiosk and DIR/assets/). Default: the repository's build/.
#   --city DIR        the city's config folder (city.json and the files it names: logo, api key,
#                     gazetteer) to install as /etc/civic-kiosk/. Without it an existing
#                     /etc/civic-kiosk/city.json is kept, and a fresh board gets the demo city.
#   --display MODE    cage (default) or kmsdrm (no compositor; board/variants/kmsdrm.conf).
#   --read-only-root  also make / read-only with overlayroot (only once /var/lib/civic-kiosk is
#                     its own partition; see board/README.md).
#   --dry-run         print every action and change nothing.
#   --root DIR        install into DIR instead of / (a staging root, e.g. an image being built,
#                     or a test). Files, unit links and masks go into DIR; what can only be done
#                     on the running board (packages, the kiosk user, ownership, reloading udev,
#                     sysctl) is printed as skipped.
#   -h, --help        this text.
#
# At the end it prints what is left to do by hand.
set -euo pipefail

REPO="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)"
BOARD="$REPO/board"

# Runtime packages (Debian 12 names; the same on arm64 and amd64). Keep in step with the
# libraries in CMakeLists.txt and the DEPS in tools/dev.
# xwayland: Debian's cage is built with Xwayland support and refuses to start without
# /usr/bin/Xwayland (it is only started if an X client connects, which the kiosk never does).
PACKAGES=(
    cage xwayland libpam-systemd dbus udev procps systemd-timesyncd ca-certificates
    libgl1-mesa-dri libegl1 libegl-mesa0 libgles2 libgbm1
    libsdl2-2.0-0 libsdl2-ttf-2.0-0 libsdl2-image-2.0-0
    libsqlite3-0 sqlite3 libcurl4 libjansson4 libexpat1 libqrencode4 libsodium23 minisign
    libfontconfig1 fontconfig libfribidi0 libharfbuzz0b libhangul1 libchewing3 libsystemd0
    fonts-noto-core fonts-noto-cjk libespeak-ng1 espeak-ng alsa-utils
)
# Groups the kiosk user needs: display, render nodes, input devices, speech, printers.
GROUPS_WANTED=(video render input audio lp)

DRY=0 ROOT="" FROM="" CITY="" DISPLAY_MODE=cage READ_ONLY=0
CHANGED=0 MANUAL=()

say() { printf '%s\n' "$*"; }
# A command as a shell would read it back (quotes where needed).
show() {
    local a out=""
    for a in "$@"; do
        [[ "$a" =~ ^[A-Za-z0-9_./=:,@%+-]+$ ]] || printf -v a '%q' "$a"
        out+="${out:+ }$a"
    done
    printf '%s' "$out"
}
die() {
    printf 'setup-board.sh: error: %s\n' "$*" >&2
    exit 1
}
usage() { sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//'; }

while (($#)); do
    case "$1" in
    --dry-run) DRY=1 ;;
    --root) ROOT="${2:?--root needs a directory}" && shift ;;
    --from) FROM="${2:?--from needs a directory}" && shift ;;
    --city) CITY="${2:?--city needs a directory}" && shift ;;
    --display) DISPLAY_MODE="${2:?--display needs cage or kmsdrm}" && shift ;;
    --read-only-root) READ_ONLY=1 ;;
    -h | --help) usage && exit 0 ;;
    *) die "unknown option $1 (see --help)" ;;
    esac
    shift
done
[[ "$DISPLAY_MODE" == cage || "$DISPLAY_MODE" == kmsdrm ]] || die "--display is cage or kmsdrm"
if [[ -n "$ROOT" ]]; then
    [[ "$ROOT" == /* ]] || ROOT="$PWD/$ROOT"
    ROOT="${ROOT%/}"
    [[ -n "$ROOT" ]] || die "--root / is the running system: leave --root out"
    ((DRY)) || mkdir -p "$ROOT"
fi
# The running board, not a staging root, not a dry run.
LIVE=0
[[ -z "$ROOT" ]] && ((!DRY)) && LIVE=1
((LIVE)) && [[ "$(id -u)" != 0 ]] && die "run it as root (sudo), or try --dry-run first"

# ---------------------------------------------------------------- actions
# Every change goes through one of these, so --dry-run and --root are honoured everywhere.

# A command that changes the running system: run it live, print it otherwise.
host() {
    if ((DRY)); then
        say "would run: $(show "$@")"
    elif [[ -n "$ROOT" ]]; then
        say "skipped in a staging root: $(show "$@")"
    else
        say "run: $(show "$@")"
        "$@"
        CHANGED=$((CHANGED + 1))
    fi
}

# install_file SRC DEST MODE [GROUP]: DEST is a path on the board; GROUP owns it (root owner).
install_file() {
    local src="$1" dest="$2" mode="$3" group="${4:-root}" to="$ROOT$2"
    [[ -f "$src" ]] || die "missing $src"
    if [[ -f "$to" ]] && cmp -s "$src" "$to" && [[ "$(stat -c %a "$to")" == "${mode#0}" ]]; then
        say "unchanged: $dest"
        return
    fi
    if ((DRY)); then
        say "would install: $dest (mode $mode, group $group) from ${src#"$REPO"/}"
        return
    fi
    install -D -m "$mode" "$src" "$to"
    ((LIVE)) && chown "root:$group" "$to"
    say "installed: $dest"
    CHANGED=$((CHANGED + 1))
}

# install_dir DEST MODE [GROUP]
install_dir() {
    local dest="$1" mode="$2" group="${3:-root}" to="$ROOT$1"
    if [[ -d "$to" && "$(stat -c %a "$to")" == "${mode#0}" ]]; then
        return
    fi
    if ((DRY)); then
        say "would create: $dest/ (mode $mode, group $group)"
        return
    fi
    install -d -m "$mode" "$to"
    ((LIVE)) && chown "root:$group" "$to"
    say "created: $dest/"
    CHANGED=$((CHANGED + 1))
}

# remove DEST: a file this script installed once and must no longer be there.
remove() {
    local dest="$1"
    [[ -e "$ROOT$dest" ]] || return 0
    if ((DRY)); then
        say "would remove: $dest"
        return
    fi
    rm -f "$ROOT$dest"
    rmdir --ignore-fail-on-non-empty "$(dirname "$ROOT$dest")"
    say "removed: $dest"
    CHANGED=$((CHANGED + 1))
}

# link TARGET DEST: a symlink on the board.
link() {
    local target="$1" dest="$2"
    [[ "$(readlink "$ROOT$dest" 2>/dev/null)" == "$target" ]] && return 0
    if ((DRY)); then
        say "would link: $dest -> $target"
        return
    fi
    mkdir -p "$(dirname "$ROOT$dest")"
    ln -sfn "$target" "$ROOT$dest"
    say "linked: $dest -> $target"
    CHANGED=$((CHANGED + 1))
}

# systemctl enable/mask work on a staging root too (--root), without a running systemd.
unit() {
    local verb="$1"
    shift
    local args=("$verb" "$@")
    [[ -n "$ROOT" ]] && args=(--root="$ROOT" "${args[@]}")
    if ((DRY)); then
        say "would run: systemctl $(show "${args[@]}")"
        return
    fi
    # Masked or enabled already: systemctl creates no symlink then, so no change to count.
    local out
    out="$(systemctl "${args[@]}" 2>&1)" || die "systemctl ${args[*]}: $out"
    [[ -n "$out" ]] && say "$out"
    if grep -q '^Created symlink' <<<"$out"; then
        CHANGED=$((CHANGED + 1))
    else
        say "unchanged: systemctl $verb $*"
    fi
}

# ---------------------------------------------------------------- steps

step() { say "" && say "== $*"; }

packages() {
    step "packages"
    local missing=() p
    if ((LIVE)); then
        local wanted=("${PACKAGES[@]}")
        ((READ_ONLY)) && wanted+=(overlayroot)
        for p in "${wanted[@]}"; do
            dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
                missing+=("$p")
        done
        if ((${#missing[@]} == 0)); then
            say "unchanged: all ${#PACKAGES[@]} packages installed"
            return
        fi
        export DEBIAN_FRONTEND=noninteractive
        host apt-get update
        host apt-get install -y --no-install-recommends "${missing[@]}"
    else
        local all=("${PACKAGES[@]}")
        ((READ_ONLY)) && all+=(overlayroot)
        host apt-get install -y --no-install-recommends "${all[@]}"
    fi
}

kiosk_user() {
    step "the kiosk user (no password, no login shell)"
    if ((LIVE)) && getent passwd kiosk >/dev/null; then
        say "unchanged: user kiosk exists"
    else
        host adduser --system --group --home /var/lib/civic-kiosk --no-create-home \
            --shell /usr/sbin/nologin --gecos "Civic Kiosk" kiosk
    fi
    local g want=()
    for g in "${GROUPS_WANTED[@]}"; do
        if ((LIVE)); then
            getent group "$g" >/dev/null || continue
            id -nG kiosk | tr ' ' '\n' | grep -qx "$g" && continue
        fi
        want+=("$g")
    done
    if ((${#want[@]})); then
        host usermod -a -G "$(IFS=, && echo "${want[*]}")" kiosk
    else
        say "unchanged: kiosk is in ${GROUPS_WANTED[*]}"
    fi
}

kiosk_files() {
    step "the kiosk (/opt/civic-kiosk)"
    local from="${FROM:-$REPO/build}" bin assets
    if [[ -x "$from/bin/civic-kiosk" ]]; then
        bin="$from/bin" assets="$from/assets"
    elif [[ -x "$from/civic-kiosk" ]]; then
        bin="$from" assets="$REPO/assets"
    elif ((DRY)); then
        say "would install: /opt/civic-kiosk/bin/civic-kiosk (not built yet in $from: tools/dev build)"
        bin="" assets="$REPO/assets"
    else
        die "no civic-kiosk in $from: build it (tools/dev build) or pass --from DIR"
    fi
    install_dir /opt/civic-kiosk 0755
    if [[ -n "$bin" ]]; then
        install_file "$bin/civic-kiosk" /opt/civic-kiosk/bin/civic-kiosk 0755
        [[ -x "$bin/kioskctl" ]] && install_file "$bin/kioskctl" /opt/civic-kiosk/bin/kioskctl 0755
    fi
    install_file "$BOARD/civic-kiosk-display" /opt/civic-kiosk/bin/civic-kiosk-display 0755
    install_file "$BOARD/README.md" /opt/civic-kiosk/board/README.md 0644
    [[ -d "$assets" ]] || die "no assets in $assets"
    local f
    while IFS= read -r -d '' f; do
        install_file "$f" "/opt/civic-kiosk/assets/${f#"$assets"/}" 0644
    done < <(find "$assets" -type f -print0 | sort -z)
}

city_config() {
    step "the city's config (/etc/civic-kiosk, readable by the kiosk, not writable)"
    install_dir /etc/civic-kiosk 0750 kiosk
    local src="" f
    if [[ -n "$CITY" ]]; then
        [[ -f "$CITY/city.json" ]] || die "--city $CITY has no city.json"
        src="$CITY"
    elif [[ -f "$ROOT/etc/civic-kiosk/city.json" ]]; then
        say "unchanged: /etc/civic-kiosk/city.json (kept; --city DIR replaces it)"
    else
        src="$REPO/assets/demo"
        MANUAL+=("The demo city is installed as /etc/civic-kiosk/city.json: install the city's own config with --city DIR (city.json, its logo, api key file and gazetteer).")
    fi
    if [[ -n "$src" ]]; then
        while IFS= read -r -d '' f; do
            install_file "$f" "/etc/civic-kiosk/${f#"$src"/}" 0640 kiosk
        done < <(find "$src" -type f ! -name README.md -print0 | sort -z)
    fi
    if [[ -f "$ROOT/etc/civic-kiosk/kiosk.conf" ]]; then
        say "unchanged: /etc/civic-kiosk/kiosk.conf (kept: it holds this board's settings)"
    else
        install_file "$BOARD/kiosk.conf" /etc/civic-kiosk/kiosk.conf 0644
    fi
    pii_key
}

# The key that seals residents' contact details in the kiosk's database (docs/privacy.md): 32
# random bytes, one per board, made on the board itself (an image would give every board the
# same key) and never replaced (requests sealed with it would wait for it).
pii_key() {
    local key=/etc/civic-kiosk/pii.key
    if [[ -f "$ROOT$key" ]]; then
        say "unchanged: $key (kept: queued requests are sealed with it)"
    elif ((DRY)); then
        say "would create: $key (32 random bytes, mode 0440, group kiosk)"
    elif [[ -n "$ROOT" ]]; then
        say "skipped in a staging root: $key (each board makes its own)"
        MANUAL+=("On each board, make its own key for residents' contact details: run setup-board.sh there, or: (umask 0377; head -c 32 /dev/urandom > $key); chmod 0440 $key; chown root:kiosk $key")
    else
        (umask 0377 && head -c 32 /dev/urandom >"$key")
        chmod 0440 "$key"
        chown root:kiosk "$key"
        say "created: $key (mode 0440, group kiosk)"
        CHANGED=$((CHANGED + 1))
    fi
}

system_files() {
    step "units, udev, sysctl, logind, PID 1, journald, PAM"
    install_file "$BOARD/civic-kiosk.service" /etc/systemd/system/civic-kiosk.service 0644
    if [[ "$DISPLAY_MODE" == kmsdrm ]]; then
        install_file "$BOARD/variants/kmsdrm.conf" /etc/systemd/system/civic-kiosk.service.d/kmsdrm.conf 0644
    else
        remove /etc/systemd/system/civic-kiosk.service.d/kmsdrm.conf
    fi
    install_file "$BOARD/udev/70-civic-kiosk.rules" /etc/udev/rules.d/70-civic-kiosk.rules 0644
    install_file "$BOARD/sysctl.d/90-civic-kiosk.conf" /etc/sysctl.d/90-civic-kiosk.conf 0644
    install_file "$BOARD/logind.conf.d/civic-kiosk.conf" /etc/systemd/logind.conf.d/civic-kiosk.conf 0644
    install_file "$BOARD/system.conf.d/civic-kiosk.conf" /etc/systemd/system.conf.d/civic-kiosk.conf 0644
    install_file "$BOARD/journald.conf.d/civic-kiosk.conf" /etc/systemd/journald.conf.d/civic-kiosk.conf 0644
    install_file "$BOARD/pam.d/civic-kiosk" /etc/pam.d/civic-kiosk 0644
}

lock_down() {
    step "lock-down: no Ctrl+Alt+Del, no login prompts on any VT"
    unit mask ctrl-alt-del.target getty@.service autovt@.service
    if [[ -e "$ROOT/etc/systemd/system/display-manager.service" ]]; then
        MANUAL+=("A display manager is installed ($(readlink "$ROOT/etc/systemd/system/display-manager.service")): disable it (systemctl disable display-manager) or it will fight the kiosk for tty1/the screen.")
    fi
}

enable() {
    step "start the kiosk at boot"
    link /lib/systemd/system/graphical.target /etc/systemd/system/default.target
    unit enable civic-kiosk.service
}

read_only_root() {
    step "read-only root"
    if ((!READ_ONLY)); then
        MANUAL+=("Read-only root: give /var/lib/civic-kiosk its own partition (board/fstab.example), then run this again with --read-only-root (board/README.md, \"Read-only root\").")
        say "not asked for (--read-only-root)"
        return
    fi
    if ((LIVE)) && ! mountpoint -q /var/lib/civic-kiosk; then
        die "--read-only-root: /var/lib/civic-kiosk is not its own partition yet; with the root read-only, the queue of residents' requests would live in RAM and be lost at the next reboot (board/README.md)"
    fi
    install_file "$BOARD/overlayroot.conf" /etc/overlayroot.conf 0644
    MANUAL+=("Reboot: the root becomes read-only (overlayroot, changes in RAM). To change it later: sudo overlayroot-chroot, or boot once with the kernel argument overlayroot=disabled.")
}

apply_now() {
    step "apply what can be applied without a reboot"
    host systemctl daemon-reload
    host udevadm control --reload
    host udevadm trigger --subsystem-match=usbmisc --subsystem-match=input --action=change
    host sysctl --system
}

# ---------------------------------------------------------------- main

if ((DRY)); then
    say "setup-board.sh: dry run${ROOT:+ for $ROOT}: printing every action, changing nothing"
elif [[ -n "$ROOT" ]]; then
    say "setup-board.sh: installing into the staging root $ROOT"
fi
packages
kiosk_user
kiosk_files
city_config
system_files
lock_down
enable
read_only_root
apply_now

MANUAL+=("Check the screen and touch: ROTATION and TOUCH_CALIBRATION in /etc/civic-kiosk/kiosk.conf, then systemctl restart civic-kiosk; the maintenance touch test shows where taps land.")
MANUAL+=("Printer: plug it in and check ls -l /dev/civic-printer; set the city config's printer.uri to usb:/dev/civic-printer (or tcp:HOST:9100).")
MANUAL+=("Network and clock: a wired or Wi-Fi connection that reaches the Open311 server, and NTP (systemd-timesyncd) so receipts carry the right time.")
MANUAL+=("Firmware/BIOS: boot only from the internal disk, set a firmware password, disable USB boot; the case keeps keyboards and the power button out of reach.")
MANUAL+=("Reboot, then check: systemctl status civic-kiosk; journalctl -t civic-kiosk -b.")

say ""
if ((DRY)); then
    say "== dry run done: nothing was changed"
else
    say "== done: $CHANGED change(s)${ROOT:+ in $ROOT}"
fi
say ""
say "Left to do by hand:"
for m in "${MANUAL[@]}"; do
    say "  - $m"
done
