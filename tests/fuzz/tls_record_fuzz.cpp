// libFuzzer target: arbitrary bytes as what a TLS broker sends a client
// tls::Session.  The first byte picks where they arrive:
//   even: in the handshake, as the server's first flight (ServerHello,
//         certificates, ... as a broker would send them, or not);
//   odd:  after a real handshake with an in-memory server, as records of
//         the established session (read until it wants more or fails).
// The session must fail cleanly, never read out of bounds or leak;
// AddressSanitizer and UBSan watch.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "../unit/tls_pki.h"
#include "tls/context.h"
#include "tls/session.h"

namespace {

namespace rt = ringkafka::tls;
namespace testing = ringkafka::testing;

struct Setup {
  testing::Pki pki;
  std::shared_ptr<rt::Context> ctx;
  Setup() {
    ringkafka::config::TlsSettings s;
    s.ca_pem = testing::pem_of(pki.ca);
    ctx = rt::Context::make(s).value();
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static Setup setup;
  if (size == 0) return 0;
  const auto input = std::as_bytes(std::span(data + 1, size - 1));
  rt::Session c;
  if (!c.open(*setup.ctx, "localhost")) return 0;
  std::vector<std::byte> into(4096);
  std::vector<std::byte> sink;
  if ((data[0] & 1) == 0) {
    (void)c.handshake();
    c.feed(input);
    (void)c.handshake();
    (void)c.take_output(sink);
    return 0;
  }
  testing::Server server(setup.pki.server_ctx);
  if (testing::handshake(c, server) != rt::Session::Status::kDone) return 0;
  c.feed(input);
  for (int i = 0; i < 64 && c.read(into) > 0; ++i) {
  }
  (void)c.take_output(sink);
  return 0;
}
