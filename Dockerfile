# NOTE: not built in CI — no Docker engine runs on the build machines. Kept deliberately plain; the package
# list matches scripts/deps.sh, which CI does exercise.
#
#   docker build -t whatsapp-inbox .
#   docker run -p 8080:8080 -e DATABASE_URL=... -e JWT_SECRET=... -e WHATSAPP_APP_SECRET=... \
#       -e WHATSAPP_VERIFY_TOKEN=... -e MEDIA_URL_SECRET=... whatsapp-inbox
#   docker run ... whatsapp-inbox migrate        (any subcommand; `serve` is the default)

FROM debian:bookworm AS build
# Exactly Boost 1.81 (libboost1.81-dev), never libboost-dev (1.74, conflicts). No test packages: tests are off.
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
        build-essential cmake ninja-build pkg-config \
        libboost1.81-dev libboost-url1.81-dev \
        libpqxx-dev libhiredis-dev nlohmann-json3-dev libspdlog-dev libssl-dev libcpp-jwt-dev libjemalloc-dev \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
# Migrations are embedded in the binary at build time, so the runtime stage needs only the executable.
RUN cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release -DINBOX_BUILD_TESTS=OFF \
 && cmake --build build --target whatsapp-inbox --parallel "$(nproc)" \
 && strip build/src/whatsapp-inbox

FROM debian:bookworm-slim
# Runtime libraries only (their -dev packages above); curl is here for the HEALTHCHECK.
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
        libpqxx-6.4 libhiredis0.14 libspdlog1.10 libssl3 libboost-url1.81.0 libjemalloc2 ca-certificates curl \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --user-group --home-dir /var/lib/whatsapp-inbox --create-home inbox \
 && mkdir -p /var/lib/whatsapp-inbox/media \
 && chown -R inbox:inbox /var/lib/whatsapp-inbox
COPY --from=build /src/build/src/whatsapp-inbox /usr/local/bin/whatsapp-inbox
# The web inbox and the OpenAPI document, served at / and /openapi.yaml.
COPY web /usr/local/share/whatsapp-inbox/web
COPY docs/openapi.yaml /usr/local/share/whatsapp-inbox/openapi.yaml

USER inbox
WORKDIR /var/lib/whatsapp-inbox
ENV HOST=0.0.0.0 \
    PORT=8080 \
    MEDIA_DIR=/var/lib/whatsapp-inbox/media \
    WEB_DIR=/usr/local/share/whatsapp-inbox/web \
    OPENAPI_FILE=/usr/local/share/whatsapp-inbox/openapi.yaml
VOLUME ["/var/lib/whatsapp-inbox/media"]
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=3s --start-period=20s --retries=3 \
    CMD curl -fsS "http://127.0.0.1:${PORT}/health" >/dev/null || exit 1
ENTRYPOINT ["whatsapp-inbox"]
CMD ["serve"]
