#!/usr/bin/env bash
# A local Docker engine for CI and developers: start / stop / image.
#
#   scripts/docker-engine.sh start   install docker.io if missing, start dockerd (as root), wait for it
#   scripts/docker-engine.sh image   build sutazai-test/busybox:latest from busybox-static (no registry)
#   scripts/docker-engine.sh stop    stop the dockerd this script started (by its recorded pid)
#   scripts/docker-engine.sh status  say whether an engine answers
#
# Env: SUTAZAI_ENGINE_SOCKET (default /var/run/docker.sock), SUTAZAI_ENGINE_STATE (pid file and
# log, default /var/tmp/sutazai-engine), SUTAZAI_ENGINE_ROOT (set it to run a separate engine
# with its data and exec roots under that folder, beside the default one), SUTAZAI_ENGINE_WAIT.
#
# No image is ever pulled: the test image is imported from a local rootfs. Containers made from it
# must run with --network none (the engine is started with --bridge=none anyway).
set -euo pipefail

SOCKET="${SUTAZAI_ENGINE_SOCKET:-/var/run/docker.sock}"
STATE_DIR="${SUTAZAI_ENGINE_STATE:-/var/tmp/sutazai-engine}"
PID_FILE="$STATE_DIR/dockerd.pid"
LOG_FILE="$STATE_DIR/dockerd.log"
IMAGE="${SUTAZAI_TEST_IMAGE:-sutazai-test/busybox:latest}"
WAIT_S="${SUTAZAI_ENGINE_WAIT:-60}"
ROOT="${SUTAZAI_ENGINE_ROOT:-}"
APPLETS="sh ash sleep httpd cat echo true false wget head tail dd yes env ls ps kill top
    printf test mkdir rm cp mv touch grep sed awk id hostname uname date seq nc"

export DOCKER_HOST="unix://$SOCKET"

log() { printf 'docker-engine: %s\n' "$*" >&2; }

as_root() {
    # CI and this machine run as root; a developer may need sudo.
    if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

engine_answers() {
    # `docker info` bounded so a hung engine cannot hang the script.
    timeout 10 docker info >/dev/null 2>&1
}

install_if_missing() {
    if command -v dockerd >/dev/null && command -v docker >/dev/null && [ -x /bin/busybox ]; then
        return
    fi
    log "installing docker.io and busybox-static"
    as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q docker.io busybox-static
}

cmd_start() {
    if engine_answers; then
        log "an engine already answers at $DOCKER_HOST; nothing to do"
        return
    fi
    install_if_missing
    mkdir -p "$STATE_DIR"  # /var/tmp is world-writable: the log is written by this shell
    log "starting dockerd on $DOCKER_HOST (log: $LOG_FILE)"
    as_root rm -f "$PID_FILE"
    local sudo=() roots=()
    [ "$(id -u)" -eq 0 ] || sudo=(sudo)
    [ -z "$ROOT" ] || roots=(--data-root "$ROOT/data" --exec-root "$ROOT/exec")
    # setsid: the daemon must outlive this shell and not get its terminal's signals. Launched
    # directly (not through a function) so that $! is dockerd itself; --pidfile makes it certain.
    "${sudo[@]}" setsid dockerd --host "unix://$SOCKET" --pidfile "$PID_FILE" "${roots[@]}" \
        --storage-driver=vfs --bridge=none --iptables=false --ip-masq=false \
        >"$LOG_FILE" 2>&1 </dev/null &
    local launched=$!
    local deadline=$((SECONDS + WAIT_S))
    until engine_answers; do
        if ! kill -0 "$launched" 2>/dev/null; then
            log "dockerd exited; last lines of $LOG_FILE:"
            tail -n 20 "$LOG_FILE" >&2
            exit 1
        fi
        if [ "$SECONDS" -ge "$deadline" ]; then
            log "no answer from dockerd after ${WAIT_S}s; see $LOG_FILE"
            exit 1
        fi
        sleep 0.5
    done
    log "engine up, pid $(cat "$PID_FILE")"
}

cmd_stop() {
    if [ ! -f "$PID_FILE" ]; then
        log "no pid file at $PID_FILE; this script started no engine"
        return
    fi
    local pid
    pid="$(cat "$PID_FILE")"
    # Only our own dockerd: check the pid still is a dockerd before signalling it.
    if kill -0 "$pid" 2>/dev/null && grep -q dockerd "/proc/$pid/comm" 2>/dev/null; then
        log "stopping dockerd pid $pid"
        as_root kill -TERM "$pid"
        local deadline=$((SECONDS + 30))
        while kill -0 "$pid" 2>/dev/null && [ "$SECONDS" -lt "$deadline" ]; do sleep 0.2; done
    else
        log "pid $pid is not a running dockerd"
    fi
    as_root rm -f "$PID_FILE"
}

cmd_image() {
    engine_answers || { log "no engine answers at $DOCKER_HOST; run '$0 start' first"; exit 1; }
    if docker image inspect "$IMAGE" >/dev/null 2>&1; then
        log "$IMAGE already present"
        return
    fi
    local root
    root="$(mktemp -d)"
    trap 'rm -rf "$root"' RETURN
    mkdir -p "$root/bin" "$root/tmp" "$root/proc" "$root/sys" "$root/dev" "$root/etc" "$root/www"
    cp /bin/busybox "$root/bin/busybox"
    for applet in $APPLETS; do ln -s busybox "$root/bin/$applet"; done
    echo "root:x:0:0:root:/:/bin/sh" >"$root/etc/passwd"
    echo ok >"$root/www/index.html"
    tar -C "$root" -c . | docker import \
        --change 'ENV PATH=/bin' --change 'CMD ["/bin/sh"]' - "$IMAGE" >/dev/null
    log "built $IMAGE"
}

cmd_status() {
    if engine_answers; then
        log "engine answers at $DOCKER_HOST"
    else
        log "no engine at $DOCKER_HOST"
        exit 1
    fi
}

case "${1:-}" in
    start) cmd_start ;;
    stop) cmd_stop ;;
    image) cmd_image ;;
    status) cmd_status ;;
    *)
        echo "usage: $0 start|stop|image|status" >&2
        exit 2
        ;;
esac
