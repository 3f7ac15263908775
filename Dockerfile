# For users who build their own image (the released one is made without a
# daemon by ci/build-image.py: same layout, same non-root user).
#   docker build -t gate .   then   docker run --rm -v "$PWD:/work" gate check
FROM rust:1.95-bookworm AS build
RUN apt-get update && apt-get install -y --no-install-recommends musl-tools && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
RUN rustup target add wasm32-wasip2 x86_64-unknown-linux-musl \
 && cargo build --release --locked -p gate --bin gate --target x86_64-unknown-linux-musl

FROM scratch
COPY --from=build /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/ca-certificates.crt
COPY --from=build /src/target/x86_64-unknown-linux-musl/release/gate /usr/local/bin/gate
COPY --chown=65532:65532 --from=build /tmp /work
ENV SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt
USER 65532:65532
WORKDIR /work
LABEL org.opencontainers.image.title="gate" \
      org.opencontainers.image.description="WebAssembly policy and quality-gate evaluator for CI" \
      org.opencontainers.image.licenses="Apache-2.0"
ENTRYPOINT ["/usr/local/bin/gate"]
CMD ["check"]
