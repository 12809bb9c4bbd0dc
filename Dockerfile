# smsmfa container image: a static binary (CGO off: the SQLite driver is pure Go) on scratch,
# run as an unprivileged user, its SQLite database and master key in the volume /var/lib/smsmfa.
#
#   docker build -t smsmfa .
#   docker run -d -p 8080:8080 -v smsmfa:/var/lib/smsmfa -e SMSMFA_BASE_URL=https://mfa.example.com smsmfa
#
# Without access to a registry holding the Go image, build the binary with the local toolchain and
# hand it in as the "build" stage (deploy/build-image --local does this):
#   docker build --build-context build=DIR -t smsmfa .     (DIR/out/ as the build stage leaves it)
# (named build contexts need BuildKit: Docker 23 or later, or docker buildx). No "# syntax=" line:
# the builder's own Dockerfile frontend is used, so nothing but the named images is pulled.

ARG GO_IMAGE=golang:1.26-bookworm

FROM ${GO_IMAGE} AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 GOFLAGS=-buildvcs=false go build -trimpath -tags timetzdata -ldflags='-s -w' -o /out/smsmfa ./cmd/smsmfa \
 && mkdir -p /out/var/lib/smsmfa \
 && cp /etc/ssl/certs/ca-certificates.crt /out/ca-certificates.crt

FROM scratch
# CA roots for the SMS providers' HTTPS APIs (Twilio, AWS, Vonage, webhooks).
COPY --from=build /out/ca-certificates.crt /etc/ssl/certs/ca-certificates.crt
COPY --from=build /out/smsmfa /usr/local/bin/smsmfa
COPY --from=build --chown=65532:65532 /out/var/lib/smsmfa /var/lib/smsmfa
USER 65532:65532
WORKDIR /var/lib/smsmfa
ENV SMSMFA_ADDR=0.0.0.0:8080 \
    SMSMFA_DATABASE=sqlite:/var/lib/smsmfa/smsmfa.db \
    SMSMFA_KEY_FILE=/var/lib/smsmfa/smsmfa.key \
    SMSMFA_LOG_FORMAT=json
VOLUME ["/var/lib/smsmfa"]
EXPOSE 8080
# scratch has no curl: the binary asks its own /healthz (SMSMFA_ADDR, on loopback) and exits 0 or 1.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 CMD ["/usr/local/bin/smsmfa", "healthcheck"]
ENTRYPOINT ["/usr/local/bin/smsmfa"]
CMD ["serve"]
