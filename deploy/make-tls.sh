#!/usr/bin/env bash
# Makes the TLS material docker-compose.yml mounts at /run/tls for HTTPS between the services: a
# private CA (ca.pem, which every service trusts through NODE_EXTRA_CA_CERTS) and one server
# certificate (server.pem, server.key) for the names the services reach each other by. For a test
# or acceptance environment; production uses certificates of its own PKI (PKIoverheid), placed
# under the same names. Needs the openssl CLI.
#   bash deploy/make-tls.sh [dir]     (default: deploy/tls; an existing CA is kept)
set -euo pipefail
DIR="${1:-$(dirname "${BASH_SOURCE[0]}")/tls}"
mkdir -p "$DIR"
cd "$DIR"
NAMES="DNS:consent-ledger,DNS:audit,DNS:gateway-a,DNS:gateway-b,DNS:demo-partners,DNS:localhost,IP:127.0.0.1"
if [ ! -f ca.pem ]; then
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout ca.key -out ca.pem -days 825 -subj "/CN=Wams services CA" 2>/dev/null
fi
openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout server.key -out server.csr -subj "/CN=wams-services" 2>/dev/null
printf 'subjectAltName=%s\nextendedKeyUsage=serverAuth\nkeyUsage=digitalSignature\n' "$NAMES" > server.ext
openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out server.pem -days 397 -extfile server.ext 2>/dev/null
rm -f server.csr server.ext
# The services run as the image's user node: the key must be readable inside the container.
chmod 0644 ca.pem server.pem
chmod 0640 server.key
echo "made $DIR/ca.pem, $DIR/server.pem and $DIR/server.key ($NAMES)"
