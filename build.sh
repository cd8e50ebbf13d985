#!/usr/bin/env bash
# build.sh: build uvmfuzz.
#
#   ./build.sh              local build: every variant into out/ (make world)
#   ./build.sh test [ARGS]  install missing packages (root on Debian), build,
#                           run the test suite (tests/, pytest, ARGS passed
#                           on, e.g. -k replay); non-zero exit on failure
#   ./build.sh TARGET...    local build of the given make targets
#
# OSS-Fuzz / ClusterFuzzLite mode is selected when $OUT and
# $LIB_FUZZING_ENGINE are set (and no argument is given): the harnesses
# fuzz/harness/<name>.c are compiled with $CC $CFLAGS and linked with
# $LIB_FUZZING_ENGINE into $OUT/<name>, next to <name>_seed_corpus.zip
# (corpus/<name>/*.prog encoded to binary), <name>.dict and <name>.options.
set -euo pipefail
cd "$(dirname "$0")"

JOBS=${JOBS:-$(nproc 2>/dev/null || echo 2)}
PACKAGES="clang-14 libclang-rt-14-dev llvm-14 afl++ libbsd-dev libcmocka-dev
    python3 python3-pytest python3-yaml python3-matplotlib make binutils git
    zip"

die() {
	echo "build.sh: $*" >&2
	exit 2
}

# harnesses: the basenames of fuzz/harness/*.c
harnesses() {
	local f
	for f in fuzz/harness/*.c; do
		[ -e "$f" ] || continue
		f=${f##*/}
		echo "${f%.c}"
	done
}

# seed_zip NAME ZIP: encode corpus/NAME/*.prog with progtool, zip them
seed_zip() {
	local name=$1 zip=$2 tmp f base
	tmp=$(mktemp -d)
	for f in corpus/"$name"/*.prog; do
		[ -e "$f" ] || continue
		base=${f##*/}
		out/tools/progtool encode "$f" -o "$tmp/${base%.prog}" ||
		    die "$f: progtool encode failed: fix the seed"
	done
	python3 - "$tmp" "$zip" <<'EOF'
import os, sys, zipfile
src, dst = sys.argv[1], sys.argv[2]
with zipfile.ZipFile(dst + ".tmp", "w", zipfile.ZIP_DEFLATED) as z:
    for n in sorted(os.listdir(src)):
        z.write(os.path.join(src, n), n)
os.replace(dst + ".tmp", dst)
EOF
	rm -rf "$tmp"
}

# dict_for NAME: the dictionary of harness NAME (corpus/NAME.dict, else
# the shared corpus/fault.dict)
dict_for() {
	if [ -f "corpus/$1.dict" ]; then
		echo "corpus/$1.dict"
	elif [ -f corpus/fault.dict ]; then
		echo corpus/fault.dict
	fi
}

build_ossfuzz() {
	local cc=${CC:-clang} cflags=${CFLAGS:-} hash variant name dict
	# TSan: stack-depth coverage writes a TLS variable from every fiber
	# of the one OS thread, which TSan reports as a race
	if [ "${SANITIZER:-}" = thread ] && [ "${FUZZING_ENGINE:-}" = libfuzzer ]; then
		cflags="$cflags -fno-sanitize-coverage=stack-depth"
	fi
	[ -d "$OUT" ] || mkdir -p "$OUT"
	# one object directory per compiler/flags combination: make does not
	# track flags, so a new combination must not reuse old objects
	hash=$(printf '%s|%s|%s|%s' "$cc" "$cflags" "${SANITIZER:-}" \
	    "${FUZZING_ENGINE:-}" | cksum | cut -d' ' -f1)
	variant=ossfuzz-$hash
	echo "build.sh: OSS-Fuzz mode: engine=${FUZZING_ENGINE:-?}" \
	    "sanitizer=${SANITIZER:-?} variant=$variant"
	# progtool runs here, at build time: build it without sanitizers
	make -j"$JOBS" CC="$cc" out/tools/progtool
	make -j"$JOBS" CC="$cc" VARIANT="$variant" VARIANT_CFLAGS="$cflags" \
	    LIB_FUZZING_ENGINE="$LIB_FUZZING_ENGINE" ossfuzz
	for name in $(harnesses); do
		cp "out/ossfuzz/$variant/$name" "$OUT/$name"
		seed_zip "$name" "$OUT/${name}_seed_corpus.zip"
		dict=$(dict_for "$name")
		{
			echo "[libfuzzer]"
			[ -n "$dict" ] && echo "dict = $name.dict"
		} > "$OUT/$name.options"
		[ -n "$dict" ] && cp "$dict" "$OUT/$name.dict"
		echo "build.sh: $OUT/$name"
	done
}

# need_packages: print the Debian packages of $PACKAGES not installed
need_packages() {
	local p
	for p in $PACKAGES; do
		dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null |
		    grep -q 'install ok installed' || echo "$p"
	done
}

ensure_packages() {
	local missing
	command -v dpkg-query >/dev/null 2>&1 || {
		echo "build.sh: not Debian/Ubuntu: install clang-14, llvm-14," \
		    "AFL++, libbsd, cmocka, pytest, PyYAML, matplotlib, zip by hand" >&2
		return 0
	}
	missing=$(need_packages | xargs)
	[ -z "${missing// /}" ] && return 0
	if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
		echo "build.sh: installing $missing"
		apt-get update -qq
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing
	else
		echo "build.sh: missing packages: run: sudo apt-get install -y $missing" >&2
		exit 2
	fi
}

if [ $# -eq 0 ] && [ -n "${OUT:-}" ] && [ -n "${LIB_FUZZING_ENGINE:-}" ]; then
	build_ossfuzz
	exit 0
fi

case "${1:-}" in
"")
	make -j"$JOBS" world
	;;
test)
	shift
	ensure_packages
	make -j"$JOBS" world
	# Debian's pytest, not whatever python3 is first on PATH
	PYTHONDONTWRITEBYTECODE=1 UVMFUZZ_TEST_NOBUILD=1 \
	    exec /usr/bin/python3 -m pytest -p no:cacheprovider -ra "$@" tests
	;;
-h|--help|help)
	sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'
	;;
-*)
	die "unknown option $1: run ./build.sh --help"
	;;
*)
	make -j"$JOBS" "$@"
	;;
esac
