#!/bin/bash -eu
# ClusterFuzzLite/OSS-Fuzz entry point: $CC $CFLAGS $LIB_FUZZING_ENGINE
# $OUT ... are set by the base-builder image; the repository's build.sh
# does the rest (binaries, seed corpora, dictionaries, options).
cd "$SRC/uvmfuzz"
./build.sh
