// The security keys (security.protocol, ssl.*, sasl.*) and how they
// combine: librdkafka's names where it has the key, Java's where only it
// does (sasl.jaas.config, ssl.enabled.protocols).  A table of their own
// next to key_table.cpp's, read the same way.
#include <cctype>
#include <string>
#include <string_view>

#include "config/keys.h"
#include "config/security.h"
#include "config/text.h"

namespace ringkafka::config {
namespace {

using namespace text;

// librdkafka takes the protocol in either case.
std::optional<std::int64_t> protocol_word(std::string_view w) noexcept {
  constexpr std::string_view kNames[] = {"plaintext", "ssl", "sasl_plaintext", "sasl_ssl"};
  if (w.size() > 16) return std::nullopt;
  char buf[16];
  for (std::size_t i = 0; i < w.size(); ++i) {
    buf[i] = static_cast<char>(std::tolower(static_cast<unsigned char>(w[i])));
  }
  const std::string_view l(buf, w.size());
  for (std::size_t i = 0; i < std::size(kNames); ++i) {
    if (kNames[i] == l) return static_cast<std::int64_t>(i);
  }
  return std::nullopt;
}

std::optional<std::int64_t> mechanism_word(std::string_view w) noexcept {
  constexpr std::string_view kNames[] = {"GSSAPI", "PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512",
                                         "OAUTHBEARER"};
  for (std::size_t i = 0; i < std::size(kNames); ++i) {
    if (kNames[i] == w) return static_cast<std::int64_t>(i);
  }
  return std::nullopt;
}

// Java's "" means none, as librdkafka's "none" does.
std::optional<std::int64_t> endpoint_word(std::string_view w) noexcept {
  if (w == "https") return 1;
  if (w == "none" || w.empty()) return 0;
  return std::nullopt;
}

constexpr std::string_view kBoolean = "true or false";
constexpr std::string_view kPemFile = "a path to a PEM file";

TlsSettings& tls(Parsed& p) noexcept { return p.settings.security.tls; }
SaslSettings& sasl(Parsed& p) noexcept { return p.settings.security.sasl; }

constexpr KeyInfo kKeys[] = {
    {.name = "security.protocol",
     .default_value = "plaintext",
     .allowed = "one of plaintext, ssl, sasl_plaintext, sasl_ssl",
     .meaning = "How connections are protected: TLS (ssl), SASL, or both (either case, as in "
                "librdkafka)",
     .form = Form::kWord,
     .lookup = protocol_word,
     .store = [](Parsed& p, std::int64_t n, std::string_view) {
       p.settings.security.protocol = static_cast<SecurityProtocol>(n);
     }},
    {.name = "sasl.mechanism",
     .default_value = "GSSAPI",
     .allowed = "one of GSSAPI, PLAIN, SCRAM-SHA-256, SCRAM-SHA-512, OAUTHBEARER",
     .meaning = "The SASL mechanism (GSSAPI, the other clients' default, is not supported: name "
                "one of the others)",
     .form = Form::kWord,
     .lookup = mechanism_word,
     .store = [](Parsed& p, std::int64_t n, std::string_view) {
       sasl(p).mechanism = static_cast<SaslMechanism>(n);
     }},
    {.name = "sasl.username",
     .default_value = "",
     .allowed = "any string",
     .meaning = "The user for PLAIN and SCRAM",
     .form = Form::kText,
     .store = [](Parsed& p, std::int64_t, std::string_view v) { sasl(p).username = v; }},
    {.name = "sasl.password",
     .default_value = "",
     .allowed = "any string",
     .meaning = "The password for PLAIN and SCRAM",
     .form = Form::kText,
     .store = [](Parsed& p, std::int64_t, std::string_view v) { sasl(p).password = v; }},
    {.name = "sasl.jaas.config",
     .default_value = "",
     .allowed = "a Java PlainLoginModule, ScramLoginModule or OAuthBearerLoginModule entry",
     .meaning = "The Java client's login: username and password (or the unsecured token's "
                "subject) are read from it",
     .form = Form::kText,
     .store = [](Parsed& p, std::int64_t, std::string_view v) { p.jaas_config = v; }},
    {.name = "sasl.oauthbearer.config",
     .default_value = "",
     .allowed = "principal=NAME [scope=A,B] [lifeSeconds=N] [extension_KEY=VALUE]...",
     .meaning = "librdkafka's settings for the unsecured token (with "
                "enable.sasl.oauthbearer.unsecure.jwt)",
     .form = Form::kText,
     .store = [](Parsed& p, std::int64_t, std::string_view v) { p.oauthbearer_config = v; }},
    {.name = "enable.sasl.oauthbearer.unsecure.jwt",
     .default_value = "false",
     .allowed = kBoolean,
     .meaning = "OAUTHBEARER with an unsigned token made from sasl.oauthbearer.config: for tests "
                "and development clusters only",
     .form = Form::kWord,
     .lookup = bool_word,
     .store = [](Parsed& p, std::int64_t n, std::string_view) { sasl(p).unsecured_jwt = n != 0; }},
    {.name = "ssl.ca.location",
     .default_value = "",
     .allowed = "a path to a PEM file or a c_rehash'ed directory",
     .meaning = "CA certificates to verify the brokers with (default: the system's)",
     .form = Form::kText,
     .store = [](Parsed& p, std::int64_t, std::string_view v) { tls(p).ca_location = v; }},
    {.name = "ssl.ca.pem",
     .default_value = "",
     .allowed = "PEM text",
     .meaning = "CA certificates as text, instead of ssl.ca.location",
     .form = Form::kText,
     .store = [](Parsed& p, std::int64_t, std::string_view v) { tls(p).ca_pem = v; }},
    {.name = "ssl.certificate.location",
     .default_value = "",
     .allowed = kPemFile,
     .meaning = "The client's certificate chain, for brokers that ask for one (mTLS)",
     .form = Form::kText,
     .store = [](Parsed& p, std::int64_t, std::string_view v) { tls(p).certificate_location = v; }},
    {.name = "ssl.certificate.pem",
     .default_value = "",
     .allowed = "PEM text",
     .meaning = "The client's certificate chain as text",
     .form = Form::kText,
     .store = [](Parsed& p, std::int64_t, std::string_view v) { tls(p).certificate_pem = v; }},
    {.name = "ssl.key.location",
     .default_value = "",
     .allowed = kPemFile,
     .meaning = "The client certificate's private key (PEM, encrypted or not)",
     .form = Form::kText,
     .store = [](Parsed& p, std::int64_t, std::string_view v) { tls(p).key_location = v; }},
    {.name = "ssl.key.pem",
     .default_value = "",
     .allowed = "PEM text",
     .meaning = "The private key as text",
     .form = Form::kText,
     .store = [](Parsed& p, std::int64_t, std::string_view v) { tls(p).key_pem = v; }},
    {.name = "ssl.key.password",
     .default_value = "",
     .allowed = "any string",
     .meaning = "The password of an encrypted private key",
     .form = Form::kText,
     .store = [](Parsed& p, std::int64_t, std::string_view v) { tls(p).key_password = v; }},
    {.name = "enable.ssl.certificate.verification",
     .default_value = "true",
     .allowed = kBoolean,
     .meaning = "Verify the broker's certificate chain (false: for tests only)",
     .form = Form::kWord,
     .lookup = bool_word,
     .store = [](Parsed& p, std::int64_t n, std::string_view) {
       tls(p).verify_certificate = n != 0;
     }},
    {.name = "ssl.endpoint.identification.algorithm",
     .default_value = "https",
     .allowed = "one of https, none",
     .meaning = "https: the broker's certificate must name the host connected to (a DNS or IP "
                "SAN), as librdkafka 2.0 and Java do",
     .form = Form::kWord,
     .lookup = endpoint_word,
     .store = [](Parsed& p, std::int64_t n, std::string_view) {
       tls(p).verify_hostname = n != 0;
     }},
    {.name = "ssl.cipher.suites",
     .default_value = "",
     .allowed = "OpenSSL cipher names, separated by : or , (TLS_* names are TLS 1.3's)",
     .meaning = "Ciphers to offer (default: OpenSSL's)",
     .form = Form::kText,
     .store = [](Parsed& p, std::int64_t, std::string_view v) { tls(p).cipher_suites = v; }},
    {.name = "ssl.enabled.protocols",
     .default_value = "TLSv1.2,TLSv1.3",
     .allowed = "TLSv1.2, TLSv1.3 or both, comma-separated",
     .meaning = "TLS versions to offer (Java's key)",
     .form = Form::kText,
     .store = [](Parsed& p, std::int64_t, std::string_view v) { p.enabled_protocols = v; }},
};

Error invalid(std::string message) { return {Errc::kInvalidConfig, std::move(message)}; }

// --- sasl.jaas.config ---------------------------------------------------------

// `Class flag name="value" name=value ...;`, as Java's JAAS parser reads an
// entry: values quoted or bare, `\` escaping inside quotes.
struct Jaas {
  std::string module;
  std::vector<std::pair<std::string, std::string>> options;
};

std::optional<Jaas> parse_jaas(std::string_view text, std::string& why) {
  Jaas j;
  std::size_t i = 0;
  const auto skip = [&] {
    while (i < text.size() && std::isspace(static_cast<unsigned char>(text[i]))) ++i;
  };
  const auto word = [&] {
    const std::size_t start = i;
    while (i < text.size() && !std::isspace(static_cast<unsigned char>(text[i])) &&
           text[i] != '=' && text[i] != ';') {
      ++i;
    }
    return std::string(text.substr(start, i - start));
  };
  skip();
  j.module = word();
  skip();
  const std::string flag = word();
  if (j.module.empty() || (flag != "required" && flag != "requisite" && flag != "sufficient" &&
                           flag != "optional")) {
    why = "is not `LoginModuleClass required name=\"value\" ...;`";
    return std::nullopt;
  }
  while (true) {
    skip();
    if (i == text.size()) {
      why = "does not end with \";\"";
      return std::nullopt;
    }
    if (text[i] == ';') {
      ++i;
      skip();
      if (i != text.size()) {
        why = "has more than one login module";
        return std::nullopt;
      }
      return j;
    }
    std::string name = word();
    if (name.empty() || i == text.size() || text[i] != '=') {
      why = "has an option without \"=value\"";
      return std::nullopt;
    }
    ++i;
    std::string value;
    if (i < text.size() && text[i] == '"') {
      ++i;
      while (i < text.size() && text[i] != '"') {
        if (text[i] == '\\' && i + 1 < text.size()) ++i;
        value += text[i++];
      }
      if (i == text.size()) {
        why = "has a quote that is not closed";
        return std::nullopt;
      }
      ++i;
    } else {
      value = word();
    }
    j.options.emplace_back(std::move(name), std::move(value));
  }
}

constexpr std::string_view kPlainModule = "org.apache.kafka.common.security.plain.PlainLoginModule";
constexpr std::string_view kScramModule = "org.apache.kafka.common.security.scram.ScramLoginModule";
constexpr std::string_view kOAuthModule =
    "org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule";

std::optional<Error> apply_jaas(const Parsed& in, SaslSettings& s) {
  std::string why;
  auto jaas = parse_jaas(in.jaas_config, why);
  if (!jaas) return invalid("sasl.jaas.config " + why);
  const bool password_module = jaas->module == kPlainModule || jaas->module == kScramModule;
  const bool fits = (jaas->module == kPlainModule && s.mechanism == SaslMechanism::kPlain) ||
                    (jaas->module == kScramModule && (s.mechanism == SaslMechanism::kScramSha256 ||
                                                      s.mechanism == SaslMechanism::kScramSha512)) ||
                    (jaas->module == kOAuthModule && s.mechanism == SaslMechanism::kOAuthBearer);
  if (!password_module && jaas->module != kOAuthModule) {
    return invalid("sasl.jaas.config: login module " + quoted(jaas->module) +
                   " is not supported (PlainLoginModule, ScramLoginModule or "
                   "OAuthBearerLoginModule)");
  }
  if (!fits) {
    return invalid("sasl.jaas.config: " + quoted(jaas->module) + " does not fit sasl.mechanism=" +
                   mechanism_name(s.mechanism));
  }
  for (auto& [name, value] : jaas->options) {
    if (password_module && name == "username") {
      s.username = value;
    } else if (password_module && name == "password") {
      s.password = value;
    } else if (!password_module && name == "unsecuredLoginStringClaim_sub") {
      s.unsecured_jwt = true;
      s.jwt_principal = value;
    } else if (!password_module && name == "unsecuredLoginLifetimeSeconds") {
      const auto n = parse_integer(value);
      if (!n || *n <= 0) return invalid("sasl.jaas.config: unsecuredLoginLifetimeSeconds " +
                                        quoted(value) + " is not a positive integer");
      s.jwt_lifetime_s = *n;
    } else if (!password_module && name.starts_with("unsecuredLoginExtension_")) {
      s.extensions.emplace_back(name.substr(24), value);
    }
    // Other options (Java's token files, callback handlers) are Java's own.
  }
  return std::nullopt;
}

// --- sasl.oauthbearer.config ---------------------------------------------------------

std::optional<Error> apply_oauthbearer_config(std::string_view text, SaslSettings& s) {
  while (true) {
    text = trim(text);
    if (text.empty()) break;
    const auto end = text.find_first_of(" \t");
    const std::string_view item = text.substr(0, end);
    text = end == std::string_view::npos ? std::string_view{} : text.substr(end);
    const auto eq = item.find('=');
    const std::string_view name = item.substr(0, eq);
    const std::string_view value = eq == std::string_view::npos ? "" : item.substr(eq + 1);
    if (eq == std::string_view::npos || value.empty()) {
      return invalid("sasl.oauthbearer.config: " + quoted(item) + " is not name=value");
    }
    if (name == "principal") {
      s.jwt_principal = value;
    } else if (name == "scope") {
      s.jwt_scope = value;
    } else if (name == "lifeSeconds") {
      const auto n = parse_integer(value);
      if (!n || *n <= 0) {
        return invalid("sasl.oauthbearer.config: lifeSeconds " + quoted(value) +
                       " is not a positive integer");
      }
      s.jwt_lifetime_s = *n;
    } else if (name.starts_with("extension_")) {
      s.extensions.emplace_back(name.substr(10), value);
    } else if (name == "principalClaimName" || name == "scopeClaimName") {
      if (value != (name == "principalClaimName" ? "sub" : "scope")) {
        return invalid("sasl.oauthbearer.config: " + std::string(name) + "=" +
                       std::string(value) + " is not supported (only the standard claim)");
      }
    } else {
      return invalid("sasl.oauthbearer.config: " + quoted(name) +
                     " is not one of principal, scope, lifeSeconds, extension_NAME");
    }
  }
  return std::nullopt;
}

std::optional<Error> resolve_protocols(std::string_view list, TlsSettings& t) {
  t.tls12 = t.tls13 = false;
  while (true) {
    const auto comma = list.find(',');
    const std::string_view v = trim(list.substr(0, comma));
    if (v == "TLSv1.2") {
      t.tls12 = true;
    } else if (v == "TLSv1.3") {
      t.tls13 = true;
    } else if (!v.empty()) {
      return invalid("ssl.enabled.protocols: " + quoted(v) +
                     " is not supported (TLSv1.2 and TLSv1.3 are)");
    }
    if (comma == std::string_view::npos) break;
    list.remove_prefix(comma + 1);
  }
  if (!t.tls12 && !t.tls13) return invalid("ssl.enabled.protocols: names no protocol");
  return std::nullopt;
}

bool any_set(const Config& config, std::string_view prefix, std::string& which) {
  for (const auto& [name, value] : config.values()) {
    const KeyInfo* key = find_key(name);
    if (key != nullptr && key->name.starts_with(prefix) && key->default_value != value) {
      which = name;
      return true;
    }
  }
  return false;
}

}  // namespace

const char* mechanism_name(SaslMechanism m) noexcept {
  switch (m) {
    case SaslMechanism::kGssapi: return "GSSAPI";
    case SaslMechanism::kPlain: return "PLAIN";
    case SaslMechanism::kScramSha256: return "SCRAM-SHA-256";
    case SaslMechanism::kScramSha512: return "SCRAM-SHA-512";
    case SaslMechanism::kOAuthBearer: return "OAUTHBEARER";
  }
  return "?";
}

const char* protocol_name(SecurityProtocol p) noexcept {
  switch (p) {
    case SecurityProtocol::kPlaintext: return "PLAINTEXT";
    case SecurityProtocol::kSsl: return "SSL";
    case SecurityProtocol::kSaslPlaintext: return "SASL_PLAINTEXT";
    case SecurityProtocol::kSaslSsl: return "SASL_SSL";
  }
  return "?";
}

std::span<const KeyInfo> security_keys() noexcept { return kKeys; }

// Keys of a protocol not chosen are an error rather than ignored: an
// ssl.ca.location with security.protocol left at plaintext is a producer
// that was meant to use TLS and would not.
std::optional<Error> resolve_security(const Config& config, Parsed& p) {
  Security& sec = p.settings.security;
  const std::string protocol = std::string("security.protocol=") + protocol_name(sec.protocol);
  std::string which;
  if (!sec.uses_tls() && (any_set(config, "ssl.", which) ||
                          any_set(config, "enable.ssl.", which))) {
    return invalid(which + " is set, but " + protocol + " uses no TLS (ssl or sasl_ssl does)");
  }
  if (!sec.uses_sasl() && (any_set(config, "sasl.", which) ||
                           any_set(config, "enable.sasl.", which))) {
    return invalid(which + " is set, but " + protocol +
                   " uses no SASL (sasl_plaintext or sasl_ssl does)");
  }
  if (sec.uses_tls()) {
    TlsSettings& t = sec.tls;
    if (auto e = resolve_protocols(p.enabled_protocols, t)) return e;
    if (!t.ca_location.empty() && !t.ca_pem.empty()) {
      return invalid("ssl.ca.location and ssl.ca.pem are both set; set one of them");
    }
    if (!t.certificate_location.empty() && !t.certificate_pem.empty()) {
      return invalid("ssl.certificate.location and ssl.certificate.pem are both set; set one");
    }
    if (!t.key_location.empty() && !t.key_pem.empty()) {
      return invalid("ssl.key.location and ssl.key.pem are both set; set one of them");
    }
    const bool cert = !t.certificate_location.empty() || !t.certificate_pem.empty();
    const bool key = !t.key_location.empty() || !t.key_pem.empty();
    if (cert != key) {
      return invalid(cert ? "ssl.certificate.location is set without ssl.key.location (a client "
                            "certificate needs its key)"
                          : "ssl.key.location is set without ssl.certificate.location");
    }
  }
  if (!sec.uses_sasl() && config.token_callback() != nullptr) {
    return invalid("Config::oauthbearer_token_callback is set, but " + protocol +
                   " uses no SASL (sasl_plaintext or sasl_ssl does)");
  }
  if (!sec.uses_sasl()) return std::nullopt;
  SaslSettings& s = sec.sasl;
  if (s.mechanism == SaslMechanism::kGssapi) {
    return invalid("sasl.mechanism: " + protocol + " needs one: PLAIN, SCRAM-SHA-256, "
                   "SCRAM-SHA-512 or OAUTHBEARER (GSSAPI, the default, is not supported)");
  }
  if (!p.jaas_config.empty()) {
    if (config.get("sasl.username") || config.get("sasl.password")) {
      return invalid("sasl.jaas.config and sasl.username/sasl.password are both set; set one");
    }
    if (auto e = apply_jaas(p, s)) return e;
  }
  s.token_callback = config.token_callback();
  s.token_context = config.token_context();
  if (s.mechanism == SaslMechanism::kOAuthBearer) {
    if (!p.oauthbearer_config.empty()) {
      if (auto e = apply_oauthbearer_config(p.oauthbearer_config, s)) return e;
    }
    if (s.token_callback != nullptr) {
      if (s.unsecured_jwt) {
        return invalid("Config::oauthbearer_token_callback and an unsecured token "
                       "(enable.sasl.oauthbearer.unsecure.jwt or unsecuredLoginStringClaim_sub) "
                       "are both set; set one");
      }
      return std::nullopt;
    }
    if (!s.unsecured_jwt) {
      return invalid("sasl.mechanism=OAUTHBEARER needs a token: Config::"
                     "oauthbearer_token_callback, or enable.sasl.oauthbearer.unsecure.jwt=true "
                     "with sasl.oauthbearer.config (tests only), or an OAuthBearerLoginModule in "
                     "sasl.jaas.config");
    }
    if (s.jwt_principal.empty()) {
      return invalid("sasl.oauthbearer.config: the unsecured token needs principal=NAME");
    }
    for (const auto& [k, v] : s.extensions) {
      bool letters = !k.empty() && k != "auth";
      for (const char c : k) letters = letters && std::isalpha(static_cast<unsigned char>(c));
      if (!letters) {
        return invalid("sasl.oauthbearer.config: extension " + quoted(k) +
                       " is not a name of letters only (RFC 7628; \"auth\" is reserved)");
      }
    }
    return std::nullopt;
  }
  if (s.token_callback != nullptr) {
    return invalid(std::string("Config::oauthbearer_token_callback is set, but sasl.mechanism is ") +
                   mechanism_name(s.mechanism) + " (OAUTHBEARER uses it)");
  }
  if (!p.oauthbearer_config.empty() || s.unsecured_jwt) {
    return invalid(std::string(p.oauthbearer_config.empty() ? "enable.sasl.oauthbearer.unsecure.jwt"
                                                            : "sasl.oauthbearer.config") +
                   " is set, but sasl.mechanism is " + mechanism_name(s.mechanism) +
                   " (OAUTHBEARER uses it)");
  }
  if (s.username.empty()) {
    return invalid(std::string("sasl.username: sasl.mechanism=") + mechanism_name(s.mechanism) +
                   " needs a user (sasl.username or sasl.jaas.config)");
  }
  if (s.password.empty() && !config.get("sasl.password")) {
    return invalid(std::string("sasl.password: sasl.mechanism=") + mechanism_name(s.mechanism) +
                   " needs a password (sasl.password or sasl.jaas.config)");
  }
  return std::nullopt;
}

}  // namespace ringkafka::config
