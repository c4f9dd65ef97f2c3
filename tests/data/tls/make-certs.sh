#!/bin/sh
# Regenerates the throwaway test CA and the certificate the fake Graph server (tools/fake_graph) presents in
# TLS tests: EC P-256, valid 20 years, SAN DNS:localhost + IP:127.0.0.1. These keys protect nothing; they exist
# so tests can make a *verified* handshake (chain + host name) against a loopback server.
# The CA's private key is deleted at the end: nothing else is ever signed with it.
set -eu
cd "$(dirname "$0")"
days=7300
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

openssl req -x509 -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -sha256 -days "$days" \
  -subj "/CN=whatsapp-inbox test CA" \
  -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
  -keyout "$work/ca.key" -out ca.pem

openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -sha256 \
  -subj "/CN=localhost" -keyout server.key -out "$work/server.csr"

cat > "$work/server.ext" <<'EXT'
basicConstraints=critical,CA:FALSE
keyUsage=critical,digitalSignature
extendedKeyUsage=serverAuth
subjectAltName=DNS:localhost,IP:127.0.0.1
EXT
openssl x509 -req -in "$work/server.csr" -CA ca.pem -CAkey "$work/ca.key" -set_serial 0x$(openssl rand -hex 8) \
  -sha256 -days "$days" -extfile "$work/server.ext" -out server.pem

openssl verify -CAfile ca.pem server.pem
