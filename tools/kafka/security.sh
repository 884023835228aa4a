# Sourced by tools/kafka-local: what `start --security` adds to a single
# node, the broker set-up of ../shared/reference/security.md section 4.
#
#   listeners   PLAINTEXT (inter-broker, and clients as before), SSL (client
#               certificates required), SASL_PLAINTEXT, SASL_SSL, and two
#               SSL listeners that present a bad server certificate: EXPIRED
#               (expired on the day it was made) and WRONGHOST (for
#               otherhost, not 127.0.0.1 or localhost); PLAINONLY, a
#               SASL_PLAINTEXT listener that enables PLAIN alone (for the
#               unsupported-mechanism error), and REAUTH, a SASL_SSL listener
#               whose sessions last 10 s (connections.max.reauth.ms, KIP-368)
#   SASL        PLAIN, SCRAM-SHA-256, SCRAM-SHA-512 (users made at format
#               time) and OAUTHBEARER (Kafka's unsecured tokens) on both
#               SASL listeners
#   users       admin (super user), alice (may do everything a producer
#               does), bob (may describe topics, nothing else), mallory
#               (nothing); password NAME-secret, and a client certificate
#               with CN=NAME each, alice's key also encrypted (alice-enc.key,
#               password alice-key-secret)
#   ACLs        StandardAuthorizer, no ACL means no access; ANONYMOUS (the
#               PLAINTEXT listener, the controller) is a super user
#
# The PKI is made with openssl in DIR/pki: ca.pem, NAME.pem + NAME.key per
# user, server, expired and wronghost keystores.
# shellcheck shell=bash

security_users=(admin alice bob mallory)

# pki_leaf PKI NAME SUBJECT EXTENSIONS: a key and a certificate signed by
# the CA, valid ten years.
pki_leaf() {
  local pki=$1 name=$2 subject=$3 ext=$4
  openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$pki/$name.key" 2>/dev/null
  openssl req -new -key "$pki/$name.key" -subj "$subject" -out "$pki/$name.csr" 2>/dev/null
  printf '%s\n' "$ext" >"$pki/$name.ext"
  openssl x509 -req -in "$pki/$name.csr" -CA "$pki/ca.pem" -CAkey "$pki/ca.key" -CAcreateserial \
    -days 3650 -sha256 -extfile "$pki/$name.ext" -out "$pki/$name.pem" 2>/dev/null
}

make_pki() {  # make_pki PKI-DIR
  local pki=$1 u
  command -v openssl >/dev/null || die "openssl not found: --security makes its certificates with it (run tools/bootstrap)"
  mkdir -p "$pki"
  openssl req -x509 -newkey rsa:2048 -nodes -keyout "$pki/ca.key" -out "$pki/ca.pem" -days 3650 \
    -subj "/CN=ringkafka test CA" -addext "basicConstraints=critical,CA:TRUE" \
    -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null || die "openssl could not make the CA"
  local server_ext="basicConstraints=CA:FALSE
extendedKeyUsage=serverAuth
subjectAltName=DNS:localhost,IP:127.0.0.1"
  pki_leaf "$pki" server "/CN=localhost" "$server_ext"
  pki_leaf "$pki" wronghost "/CN=otherhost" "basicConstraints=CA:FALSE
extendedKeyUsage=serverAuth
subjectAltName=DNS:otherhost"
  for u in "${security_users[@]}"; do
    pki_leaf "$pki" "$u" "/CN=$u" "basicConstraints=CA:FALSE
extendedKeyUsage=clientAuth"
  done
  openssl pkcs8 -topk8 -in "$pki/alice.key" -out "$pki/alice-enc.key" \
    -passout pass:alice-key-secret -v2 aes-256-cbc 2>/dev/null
  # Expired: `openssl ca` is the tool that takes dates in the past.
  mkdir -p "$pki/ca-db"
  : >"$pki/ca-db/index.txt"
  echo 1000 >"$pki/ca-db/serial"
  cat >"$pki/ca-db/ca.cnf" <<EOF
[ca]
default_ca = test
[test]
database = $pki/ca-db/index.txt
serial = $pki/ca-db/serial
new_certs_dir = $pki/ca-db
default_md = sha256
policy = any
copy_extensions = none
[any]
commonName = supplied
[ext]
basicConstraints = CA:FALSE
extendedKeyUsage = serverAuth
subjectAltName = DNS:localhost,IP:127.0.0.1
EOF
  openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$pki/expired.key" 2>/dev/null
  openssl req -new -key "$pki/expired.key" -subj "/CN=localhost" -out "$pki/expired.csr" 2>/dev/null
  openssl ca -batch -config "$pki/ca-db/ca.cnf" -cert "$pki/ca.pem" -keyfile "$pki/ca.key" \
    -startdate 20200101000000Z -enddate 20210101000000Z -extensions ext -notext \
    -in "$pki/expired.csr" -out "$pki/expired.pem" >/dev/null 2>&1 ||
    die "openssl could not make the expired certificate"
  # Kafka's PEM keystores (KIP-651): the unencrypted PKCS#8 key, then the
  # certificate.
  for u in server wronghost expired; do
    cat "$pki/$u.key" "$pki/$u.pem" >"$pki/$u.keystore.pem"
  done
  rm -f "$pki"/*.csr "$pki"/*.ext "$pki"/*.srl
}

# The SASL mechanisms' login modules for listener NAME (lower case).
sasl_listener_config() {
  local l=$1 users="" u
  for u in "${security_users[@]}"; do users+=" user_$u=\"$u-secret\""; done
  cat <<EOF
listener.name.$l.plain.sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required$users;
listener.name.$l.scram-sha-256.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;
listener.name.$l.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;
listener.name.$l.oauthbearer.sasl.jaas.config=org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule required unsecuredLoginStringClaim_sub="admin";
EOF
}

# write_security_config NODE PORT CONTROLLER-PORT VOTERS SSL SASL_PLAINTEXT
# SASL_SSL EXPIRED WRONGHOST PLAINONLY REAUTH: the node's server.properties
# for --security.
write_security_config() {
  local node=$1 port=$2 cport=$3 voters=$4 pki=$dir/pki
  local ssl=$5 sasl_plain=$6 sasl_ssl=$7 expired=$8 wronghost=$9 plainonly=${10} reauth=${11}
  write_config "$node" "$port" "$cport" "$voters"
  local f="$dir/node-$node/server.properties"
  # Replaced, not appended: a properties file takes the last value, but one
  # listener line is easier to read.
  sed -i -e '/^listeners=/d' -e '/^advertised.listeners=/d' -e '/^listener.security.protocol.map=/d' "$f"
  local extra="SSL://127.0.0.1:$ssl,SASL_PLAINTEXT://127.0.0.1:$sasl_plain,SASL_SSL://127.0.0.1:$sasl_ssl"
  extra+=",EXPIRED://127.0.0.1:$expired,WRONGHOST://127.0.0.1:$wronghost"
  extra+=",PLAINONLY://127.0.0.1:$plainonly,REAUTH://127.0.0.1:$reauth"
  {
    echo "# From --security (tools/kafka/security.sh)."
    echo "listeners=PLAINTEXT://127.0.0.1:$port,CONTROLLER://127.0.0.1:$cport,$extra"
    echo "advertised.listeners=PLAINTEXT://127.0.0.1:$port,$extra"
    echo "listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT,SSL:SSL,SASL_PLAINTEXT:SASL_PLAINTEXT,SASL_SSL:SASL_SSL,EXPIRED:SSL,WRONGHOST:SSL,PLAINONLY:SASL_PLAINTEXT,REAUTH:SASL_SSL"
    echo "ssl.keystore.type=PEM"
    echo "ssl.keystore.location=$pki/server.keystore.pem"
    echo "ssl.truststore.type=PEM"
    echo "ssl.truststore.location=$pki/ca.pem"
    echo "ssl.principal.mapping.rules=RULE:^CN=([^,]+).*\$/\$1/,DEFAULT"
    echo "listener.name.ssl.ssl.client.auth=required"
    echo "listener.name.expired.ssl.keystore.location=$pki/expired.keystore.pem"
    echo "listener.name.wronghost.ssl.keystore.location=$pki/wronghost.keystore.pem"
    echo "sasl.enabled.mechanisms=PLAIN,SCRAM-SHA-256,SCRAM-SHA-512,OAUTHBEARER"
    sasl_listener_config sasl_plaintext
    sasl_listener_config sasl_ssl
    sasl_listener_config reauth
    echo "listener.name.reauth.connections.max.reauth.ms=10000"
    echo "listener.name.plainonly.sasl.enabled.mechanisms=PLAIN"
    sasl_listener_config plainonly
    echo "authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer"
    echo "super.users=User:ANONYMOUS;User:admin"
    echo "allow.everyone.if.no.acl.found=false"
  } >>"$f"
}

# StorageTool format's --add-scram arguments: every user, both mechanisms.
scram_format_args() {
  local u m
  for u in "${security_users[@]}"; do
    for m in SCRAM-SHA-256 SCRAM-SHA-512; do
      printf '%s\n' --add-scram "$m=[name=$u,password=$u-secret]"
    done
  done
}

# The ACLs, through the PLAINTEXT listener (ANONYMOUS is a super user).
add_acls() {
  local bootstrap=$1 main=org.apache.kafka.tools.AclCommand
  [[ ${kafka_version%%.*} -ge 4 ]] || main=kafka.admin.AclCommand
  run_tool "$main" --bootstrap-server "$bootstrap" --add --allow-principal User:alice \
    --operation All --topic '*' --group '*' --transactional-id '*' >/dev/null &&
    run_tool "$main" --bootstrap-server "$bootstrap" --add --allow-principal User:alice \
      --operation IdempotentWrite --cluster >/dev/null &&
    run_tool "$main" --bootstrap-server "$bootstrap" --add --allow-principal User:bob \
      --operation Describe --topic '*' >/dev/null ||
    die "adding the ACLs failed (see the tool's message above)"
}
