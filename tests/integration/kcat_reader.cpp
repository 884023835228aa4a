#include "kcat_reader.h"

#include <charconv>
#include <iostream>
#include <thread>

#include "broker.h"

namespace ringkafka::testing {
namespace {

// Reads a decimal integer ending at `stop`, moving `pos` past the stop byte.
template <typename Int>
bool read_int(std::string_view out, std::size_t& pos, char stop, Int& value) {
  const std::size_t end = out.find(stop, pos);
  if (end == std::string_view::npos) return false;
  const auto [ptr, ec] = std::from_chars(out.data() + pos, out.data() + end, value);
  if (ec != std::errc() || ptr != out.data() + end) return false;
  pos = end + 1;
  return true;
}

// A length field: -1 (null) or a byte count; takes the bytes it announces.
bool read_bytes(std::string_view out, std::size_t& pos, long long length,
                std::optional<std::string>& bytes) {
  if (length < -1) return false;
  if (length == -1) {
    bytes.reset();
    return true;
  }
  const auto n = static_cast<std::size_t>(length);
  if (out.size() - pos < n) return false;
  bytes.emplace(out.substr(pos, n));
  pos += n;
  return true;
}

bool parse_headers(std::string_view text,
                   std::vector<std::pair<std::string, std::string>>& headers) {
  headers.clear();
  while (!text.empty()) {
    const std::size_t comma = text.find(',');
    const std::string_view one = text.substr(0, comma);
    const std::size_t eq = one.find('=');
    if (eq == std::string_view::npos) return false;
    headers.emplace_back(std::string(one.substr(0, eq)), std::string(one.substr(eq + 1)));
    if (comma == std::string_view::npos) break;
    text.remove_prefix(comma + 1);
  }
  return true;
}

}  // namespace

std::string parse_kcat_output(std::string_view out, std::vector<KcatRecord>& records) {
  records.clear();
  std::size_t pos = 0;
  while (pos < out.size()) {
    const std::size_t start = pos;
    const auto bad = [&](const char* what) {
      return std::string("kcat output at byte ") + std::to_string(start) + " (record " +
             std::to_string(records.size()) + "): " + what;
    };
    KcatRecord r;
    long long key_length = 0;
    long long value_length = 0;
    if (!read_int(out, pos, ' ', r.partition) || !read_int(out, pos, ' ', r.offset) ||
        !read_int(out, pos, ' ', r.timestamp_ms) || !read_int(out, pos, ' ', key_length) ||
        !read_int(out, pos, ' ', value_length)) {
      return bad("malformed partition, offset, timestamp or lengths");
    }
    const std::size_t eol = out.find('\n', pos);
    if (eol == std::string_view::npos) return bad("no end to the header line");
    if (!parse_headers(out.substr(pos, eol - pos), r.headers)) return bad("malformed headers");
    pos = eol + 1;
    if (!read_bytes(out, pos, key_length, r.key)) return bad("key shorter than its length");
    if (!read_bytes(out, pos, value_length, r.value)) return bad("value shorter than its length");
    if (pos >= out.size() || out[pos] != '\n') return bad("no newline after the value");
    ++pos;
    records.push_back(std::move(r));
  }
  return {};
}

std::string kcat_read_topic(const std::string& bootstrap, const std::string& topic,
                            std::vector<KcatRecord>& records, std::size_t expected,
                            std::chrono::milliseconds patience, const std::string& isolation) {
  const std::string command = "timeout 120 kcat -C -b '" + bootstrap + "' -t '" + topic +
                              "' -X isolation.level=" + isolation +
                              " -e -q -f '%p %o %T %K %S %h\\n%k%s\\n'";
  const auto deadline = std::chrono::steady_clock::now() + patience;
  for (;;) {
    const CommandResult r = run_command(command);
    if (r.exit_code != 0) {
      return "kcat exited with " + std::to_string(r.exit_code) + " reading " + topic;
    }
    if (std::string error = parse_kcat_output(r.output, records); !error.empty()) return error;
    if (records.size() >= expected || std::chrono::steady_clock::now() >= deadline) return {};
    std::cerr << "kcat read " << records.size() << " of " << expected << " records of " << topic
              << "; reading again\n";
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
  }
}

}  // namespace ringkafka::testing
