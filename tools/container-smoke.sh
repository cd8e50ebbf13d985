#!/usr/bin/env bash
# tools/container-smoke.sh: build the uvmfuzz image with docker or
# podman (whichever works here), then run a short fuzz and a repro in it.
# Not part of .ci/run: it takes minutes and needs a container engine.
#
#   tools/container-smoke.sh [SECONDS]      fuzz time per target (10)
#   tools/container-smoke.sh --setup        only prepare the engine
#
# Without a working Docker engine, rootful podman is used; when it is
# missing and we are root on Debian, it is installed (podman buildah runc
# debootstrap) and set up the way this kind of machine needs: runc instead
# of crun, explicit ulimits (containers.conf), and a debian:bookworm base
# image made with debootstrap when no registry image is available.
set -euo pipefail
cd "$(dirname "$0")/.."

SETUP_ONLY=0
if [ "${1:-}" = --setup ]; then
	SETUP_ONLY=1
	shift
fi
SECS=${1:-10}
IMAGE=${IMAGE:-localhost/uvmfuzz:smoke}
STATE=${UVMFUZZ_PODMAN_STATE:-/var/tmp/uvmfuzz-podman}
T0=$(date +%s)

say() { echo "container-smoke: [$(( $(date +%s) - T0 ))s] $*"; }
die() { echo "container-smoke: $*" >&2; exit 2; }

case "$SECS" in
''|*[!0-9]*) die "bad fuzz time '$SECS': give whole seconds" ;;
esac
mkdir -p "$STATE"

# apt_mirror: the Debian mirror apt uses here (deb822 or one-line form)
apt_mirror() {
	local m
	m=$(grep -hs '^URIs:' /etc/apt/sources.list.d/*.sources |
	    awk '{print $2}' | grep -v security | head -1)
	[ -n "$m" ] || m=$(grep -hs '^deb ' /etc/apt/sources.list |
	    awk '{print $2}' | head -1)
	echo "${m:-http://deb.debian.org/debian}"
}

setup_podman() {
	if ! command -v podman >/dev/null 2>&1; then
		[ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1 ||
		    die "no docker engine and no podman: install podman"
		say "installing podman buildah runc debootstrap"
		apt-get update -qq
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
		    podman buildah runc debootstrap >/dev/null
	fi
	mkdir -p "$STATE"
	cat > "$STATE/containers.conf" <<'EOF'
[containers]
default_ulimits = ["nofile=1024:20000", "nproc=1024:1024"]

[engine]
runtime = "runc"
EOF
	export CONTAINERS_CONF="$STATE/containers.conf"
	if ! podman image exists docker.io/library/debian:bookworm; then
		if ! podman pull -q docker.io/library/debian:bookworm \
		    >/dev/null 2>&1; then
			command -v debootstrap >/dev/null 2>&1 ||
			    die "no debian:bookworm image: install debootstrap"
			say "debootstrap bookworm from $(apt_mirror)"
			rm -rf "$STATE/rootfs"
			debootstrap --variant=minbase bookworm "$STATE/rootfs" \
			    "$(apt_mirror)" >"$STATE/debootstrap.log" 2>&1 ||
			    die "debootstrap failed: see $STATE/debootstrap.log"
			tar -C "$STATE/rootfs" -c . |
			    podman import - docker.io/library/debian:bookworm \
			    >/dev/null
			rm -rf "$STATE/rootfs"
		fi
	fi
}

if command -v docker >/dev/null 2>&1 && docker info >/dev/null 2>&1; then
	ENGINE=docker
else
	setup_podman
	ENGINE=podman
fi
say "engine: $ENGINE"
[ "$SETUP_ONLY" = 1 ] && exit 0

say "building $IMAGE"
B0=$(date +%s)
$ENGINE build -t "$IMAGE" . >"$STATE/build.log" 2>&1 ||
    { tail -30 "$STATE/build.log" >&2; die "image build failed: see $STATE/build.log"; }
say "image built in $(( $(date +%s) - B0 ))s"

FIND=$(mktemp -d /var/tmp/uvmfuzz-findings.XXXXXX)
say "fuzzing every target ${SECS}s in the container (findings: $FIND)"
rc=0
$ENGINE run --rm -v "$FIND:/findings" -e UVMFUZZ_TIME="$SECS" "$IMAGE" || rc=$?
[ "$rc" -le 1 ] || die "fuzz in the container failed (exit $rc)"
ls "$FIND" | grep -q -- '-libfuzzer$' ||
    die "the container wrote no findings directory to /findings"
say "fuzz exit $rc ($( [ "$rc" = 0 ] && echo 'no findings' || echo 'findings: see '"$FIND"))"

seed=$(ls corpus/fault/*.prog | head -1)
say "repro of $seed in the container"
rc=0
$ENGINE run --rm "$IMAGE" fuzz/uvmfuzz repro --runs 2 "$seed" || rc=$?
[ "$rc" -le 1 ] || die "repro in the container failed (exit $rc)"
say "repro exit $rc"
say "done in $(( $(date +%s) - T0 ))s"
