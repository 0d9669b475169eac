# syntax=docker/dockerfile:1
# Build a static binary (the SQLite driver is pure Go, so no cgo is needed).
FROM golang:1.26-bookworm AS build
# go.mod needs Go 1.27.3, which has no known vulnerability that this code
# reaches; the go command fetches it through the module proxy.
ENV GOTOOLCHAIN=go1.27.3
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=dev
RUN CGO_ENABLED=0 GOOS=linux go build -trimpath \
      -ldflags "-s -w -X main.version=${VERSION}" \
      -o /out/uitvoeringskracht ./cmd/uitvoeringskracht \
 && mkdir -p /out/data

# The runtime image holds the binary and CA certificates only, and runs as
# an unprivileged user.
FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/uitvoeringskracht /usr/local/bin/uitvoeringskracht
COPY --from=build --chown=nonroot:nonroot /out/data /data
WORKDIR /data
ENV UK_ADDR=0.0.0.0:8080 \
    UK_DATABASE_URL=sqlite:/data/uitvoeringskracht.db
EXPOSE 8080
VOLUME ["/data"]
USER nonroot:nonroot
ENTRYPOINT ["/usr/local/bin/uitvoeringskracht"]
CMD ["serve"]
