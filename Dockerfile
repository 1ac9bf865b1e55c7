# syntax=docker/dockerfile:1

# Build: the same release build CI runs natively (scripts/build-release).
FROM swift:6.3.1-bookworm AS build
RUN apt-get update \
    && apt-get install -y --no-install-recommends libhiredis-dev libcurl4-openssl-dev libssl-dev libisal-dev pkg-config \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY Package.swift ./
COPY Sources ./Sources
COPY scripts/build-release ./scripts/build-release
RUN scripts/build-release /usr/local/bin/chunkferry

# Run: only the shared libraries the binary needs (kept in sync with ldd by scripts/check-runtime-libs).
FROM debian:12.12-slim
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates libcurl4 libhiredis0.14 libisal2 libssl3 libstdc++6 libgcc-s1 \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 --user-group --no-create-home --shell /usr/sbin/nologin chunkferry
COPY --from=build /usr/local/bin/chunkferry /usr/local/bin/chunkferry
ENV WATCH_DIR=/input
WORKDIR /tmp
USER 10001:10001
ENTRYPOINT ["chunkferry"]
CMD ["run"]
