# uvmfuzz image: the toolchain, the source, every build variant.
#   docker build -t uvmfuzz .
#   docker run --rm -v "$PWD/findings:/findings" uvmfuzz
# fuzzes every target for UVMFUZZ_TIME seconds (default 300) each and
# writes findings (with their triage report) to the /findings volume.
FROM debian:bookworm
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
        clang-14 libclang-rt-14-dev llvm-14 afl++ libbsd-dev libcmocka-dev \
        make binutils python3 ca-certificates \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src/uvmfuzz
COPY . .
RUN ./build.sh
VOLUME /findings
ENV UVMFUZZ_TIME=300
CMD ["sh", "-c", "exec fuzz/uvmfuzz fuzz --target all --time \"$UVMFUZZ_TIME\" --keep-going --out /findings"]
