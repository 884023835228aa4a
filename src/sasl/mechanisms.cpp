#include "sasl/mechanisms.h"

#include "sasl/base64.h"

namespace ringkafka::sasl {

std::string plain_message(std::string_view user, std::string_view password) {
  std::string m;
  m.reserve(user.size() + password.size() + 2);
  m += '\0';
  m += user;
  m += '\0';
  m += password;
  return m;
}

bool oauthbearer_message(std::string_view token,
                         const std::vector<std::pair<std::string, std::string>>& extensions,
                         std::string& out, std::string& error) {
  out = "n,,\x01" "auth=Bearer ";
  out += token;
  out += '\x01';
  for (const auto& [key, value] : extensions) {
    bool letters = !key.empty() && key != "auth";
    for (const char c : key) letters = letters && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'));
    if (!letters) {
      error = "OAUTHBEARER extension \"" + key + "\": a key is letters only and not \"auth\"";
      return false;
    }
    // RFC 7628: a value is printable ASCII, spaces and tabs allowed.
    for (const char c : value) {
      if ((c < 0x20 || c > 0x7e) && c != '\t') {
        error = "OAUTHBEARER extension \"" + key + "\": the value has a control character";
        return false;
      }
    }
    out += key;
    out += '=';
    out += value;
    out += '\x01';
  }
  out += '\x01';
  return true;
}

std::string oauthbearer_error_reply() { return std::string(1, '\x01'); }

std::string unsecured_jwt(std::string_view subject, std::int64_t now_s, std::int64_t lifetime_s,
                          std::string_view scope) {
  // The subject is the caller's (a config value): quotes and backslashes
  // escaped so that the claims stay JSON.
  std::string sub;
  for (const char c : subject) {
    if (c == '"' || c == '\\') sub += '\\';
    sub += c;
  }
  std::string claims = "{\"sub\":\"" + sub + "\",\"iat\":" + std::to_string(now_s) +
                       ",\"exp\":" + std::to_string(now_s + lifetime_s);
  if (!scope.empty()) claims += ",\"scope\":\"" + std::string(scope) + "\"";
  claims += "}";
  return base64url("{\"alg\":\"none\"}") + "." + base64url(claims) + ".";
}

}  // namespace ringkafka::sasl
