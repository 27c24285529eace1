# The server binary and the console's compiled assets on a small Debian base.
# Build: docker build -t portcullis .   (not built on the development machines: no engine)
FROM rust:1.95-bookworm AS build
RUN apt-get update && apt-get install -y --no-install-recommends nodejs npm && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
# The console's wasm (installing the wasm target, building tools/console-bindgen, installing
# wasm-opt), then the server, with cross-crate thin LTO, which `cargo build --release` leaves off for a quicker
# first build (see Cargo.toml).
RUN scripts/build-console.sh release && \
    CARGO_PROFILE_RELEASE_LTO=thin cargo build --release --locked -p portcullis

FROM debian:bookworm-slim
RUN useradd --system --home /var/lib/portcullis --create-home portcullis
COPY --from=build /src/target/release/portcullis /usr/local/bin/portcullis
COPY --from=build /src/target/site /usr/share/portcullis/console
USER portcullis
ENV PORTCULLIS_LISTEN=0.0.0.0:8080 \
    PORTCULLIS_DATA_DIR=/var/lib/portcullis \
    PORTCULLIS_CONSOLE_DIR=/usr/share/portcullis/console
VOLUME /var/lib/portcullis
EXPOSE 8080
ENTRYPOINT ["portcullis"]
CMD ["serve"]
