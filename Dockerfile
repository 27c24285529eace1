# The single server binary on a small Debian base. Build: docker build -t portcullis .
FROM rust:1.95-bookworm AS build
WORKDIR /src
COPY . .
RUN cargo build --release --locked -p portcullis

FROM debian:bookworm-slim
RUN useradd --system --home /var/lib/portcullis --create-home portcullis
COPY --from=build /src/target/release/portcullis /usr/local/bin/portcullis
USER portcullis
ENV PORTCULLIS_LISTEN=0.0.0.0:8080 \
    PORTCULLIS_DATA_DIR=/var/lib/portcullis
VOLUME /var/lib/portcullis
EXPOSE 8080
ENTRYPOINT ["portcullis"]
CMD ["serve"]
