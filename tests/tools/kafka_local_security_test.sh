#!/usr/bin/env bash
# tools/kafka-local start --security: each listener answers as it should,
# checked with kcat (librdkafka) and Kafka's own console consumer, on a
# broker of its own (or tools/test's, in RINGKAFKA_SECURITY_DIR).  What a
# secured test needs: the certificates work on the SSL and SASL_SSL listeners, PLAIN works on both SASL listeners, the
# bad certificates fail the way they are meant to (expired, wrong host, no
# client certificate), and the ACLs let alice write, refuse bob and mallory.
# (kcat 2.0.2 fails SCRAM against Kafka 4.3.1, so SCRAM is left to
# ringkafka's own tests against this broker.)
set -uo pipefail
kl=${RINGKAFKA_KAFKA_LOCAL:?}
expect_timeout=60
# shellcheck source=expect.sh
. "$(dirname "${BASH_SOURCE[0]}")/expect.sh"

# The broker tools/test started (RINGKAFKA_SECURITY_DIR), else one of our own.
if [[ -n ${RINGKAFKA_SECURITY_DIR:-} ]]; then
  dir=$RINGKAFKA_SECURITY_DIR
  bootstrap=$("$kl" status --dir "$dir" | head -n 1)
else
  dir=$(mktemp -d)/secure
  trap '"$kl" stop --dir "$dir" >/dev/null 2>&1; rm -rf "$(dirname "$dir")"' EXIT
  if ! bootstrap=$("$kl" start --security --dir "$dir"); then
    echo "FAIL: kafka-local start --security did not start"; exit 1
  fi
fi
status=$("$kl" status --dir "$dir")
listener() { awk -v n="$1" '$1 == n { print $2 }' <<<"$status"; }
pki=$(listener PKI)
echo "listeners:"; echo "$status"
[[ $(head -n 1 <<<"$status") == "$bootstrap" ]] || { echo "FAIL: status does not start with the bootstrap"; exit 1; }
"$kl" create-topic secure --partitions 1 --dir "$dir" >/dev/null 2>&1 ||
  { echo "FAIL: create-topic on the secured broker"; exit 1; }

tls=(-X ssl.ca.location="$pki/ca.pem")
mtls=("${tls[@]}" -X ssl.certificate.location="$pki/alice.pem" -X ssl.key.location="$pki/alice.key")
plain() { echo -X sasl.mechanisms=PLAIN -X sasl.username="$1" -X sasl.password="$2"; }

# Producing as alice on each listener; every record is read back below.
expect "SSL with alice's certificate" 0 "" -- \
  bash -c "echo ssl | kcat -P -b $(listener SSL) -t secure -X security.protocol=ssl ${mtls[*]}"
expect "SASL_PLAINTEXT, PLAIN" 0 "" -- \
  bash -c "echo sasl-plaintext | kcat -P -b $(listener SASL_PLAINTEXT) -t secure -X security.protocol=sasl_plaintext $(plain alice alice-secret)"
expect "SASL_SSL, PLAIN" 0 "" -- \
  bash -c "echo sasl-ssl | kcat -P -b $(listener SASL_SSL) -t secure -X security.protocol=sasl_ssl ${tls[*]} $(plain alice alice-secret)"
expect "SSL with alice's encrypted key" 0 "" -- \
  bash -c "echo ssl-encrypted-key | kcat -P -b $(listener SSL) -t secure -X security.protocol=ssl ${tls[*]} -X ssl.certificate.location=$pki/alice.pem -X ssl.key.location=$pki/alice-enc.key -X ssl.key.password=alice-key-secret"
expect "the four records, read by Java's consumer on the plaintext listener" 0 "ssl-encrypted-key" -- \
  "$kl" consume secure --max 4 --timeout-ms 20000 --dir "$dir"

# What must fail, and how.
expect "a wrong password" 1 "Authentication failed: Invalid username or password" -- \
  kcat -L -b "$(listener SASL_PLAINTEXT)" -m 10 -X security.protocol=sasl_plaintext $(plain alice wrong)
# openssl names why verification failed (kcat says only that it did).
expect "the expired certificate" 1 "certificate has expired" -- \
  bash -c "openssl s_client -connect $(listener EXPIRED) -CAfile $pki/ca.pem -verify_ip 127.0.0.1 -verify_return_error </dev/null"
expect "the certificate for another host" 1 "IP address mismatch|hostname mismatch" -- \
  bash -c "openssl s_client -connect $(listener WRONGHOST) -CAfile $pki/ca.pem -verify_ip 127.0.0.1 -verify_return_error </dev/null"
expect "the server certificate, verified for 127.0.0.1 and localhost" 0 "Verify return code: 0 \(ok\)" -- \
  bash -c "openssl s_client -connect $(listener SASL_SSL) -CAfile $pki/ca.pem -verify_ip 127.0.0.1 -verify_return_error </dev/null &&
           openssl s_client -connect $(listener SASL_SSL) -CAfile $pki/ca.pem -verify_hostname localhost -verify_return_error </dev/null"
expect "kcat refuses the expired certificate too" 1 "certificate verify failed" -- \
  kcat -L -b "$(listener EXPIRED)" -m 10 -X security.protocol=ssl "${mtls[@]}"
expect "the SSL listener without a client certificate" 1 "alert bad certificate|alert number 42|certificate required" -- \
  kcat -L -b "$(listener SSL)" -m 10 -X security.protocol=ssl "${tls[@]}"
expect "mallory may not even see the topic" 1 "Topic authorization failed" -- \
  bash -c "echo no | kcat -P -b $(listener SASL_PLAINTEXT) -t secure -X security.protocol=sasl_plaintext $(plain mallory mallory-secret) -X message.timeout.ms=10000"
expect "bob may see the topic, not write to it" 1 "Topic authorization failed" -- \
  bash -c "echo no | kcat -P -b $(listener SASL_PLAINTEXT) -t secure -X security.protocol=sasl_plaintext $(plain bob bob-secret) -X enable.idempotence=false -X message.timeout.ms=10000"

expect_summary
