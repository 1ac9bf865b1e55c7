# syntax=docker/dockerfile:1

# Build: the same release build CI runs natively (scripts/build-release).
FROM swift:6.3.1-bookworm AS build
RUN apt-get update \
    && apt-get install -y --no-install-recommends libhiredis-dev libcurl4-openssl-dev libssl-dev libisal-dev libmosquitto-dev pkg-config \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY Package.swift ./
COPY Sources ./Sources
COPY scripts/build-release ./scripts/build-release
# The build context has no .git: `docker compose build --build-arg CHUNKFERRY_COMMIT=$(git rev-parse --short=12 HEAD)`.
ARG CHUNKFERRY_COMMIT=unknown
RUN scripts/build-release /usr/local/bin/chunkferry

# Run: only the shared libraries the binary needs (kept in sync with ldd by scripts/check-runtime-libs),
# and ffmpeg, which records cameras (a program the daemon runs, not a library it links).
FROM debian:12.12-slim
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates ffmpeg libcurl4 libhiredis0.14 libisal2 libmosquitto1 libssl3 libstdc++6 libgcc-s1 \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 --user-group --no-create-home --shell /usr/sbin/nologin chunkferry \
    && install -d -m 0700 -o 10001 -g 10001 /var/lib/chunkferry
COPY --from=build /usr/local/bin/chunkferry /usr/local/bin/chunkferry
ENV WATCH_DIR=/input STATE_DIR=/var/lib/chunkferry HTTP_BIND=0.0.0.0 HTTP_PORT=8080
EXPOSE 8080
WORKDIR /tmp
USER 10001:10001
HEALTHCHECK --interval=30s --timeout=10s --start-period=60s --retries=3 CMD ["chunkferry", "health"]
ENTRYPOINT ["chunkferry"]
CMD ["run"]
