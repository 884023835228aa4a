// Writing records in place: reserve() room in this thread's ring for a key
// and value of known sizes, encode straight into the spans it gives (here a
// fixed little-endian market-data layout, as an SBE or FlatBuffers encoder
// would write it), then commit().  Nothing is copied after the encoder; an
// encoder that fails abandon()s the room and no report follows.
//
//   zero-copy BOOTSTRAP TOPIC [COUNT]
#include <ringkafka/producer.h>

#include <bit>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <span>

namespace {

static_assert(std::endian::native == std::endian::little, "the layout below is little-endian");

// A quote: 8-byte instrument id, then bid and ask prices and sizes.
constexpr std::size_t kQuoteBytes = 8 + 4 * 8;

// The encoder: writes one quote into `out` (exactly kQuoteBytes).
bool encode_quote(std::span<std::byte> out, std::uint64_t instrument, std::int64_t bid,
                  std::int64_t ask, std::int64_t bid_size, std::int64_t ask_size) noexcept {
  if (out.size() != kQuoteBytes || bid > ask) return false;  // a crossed quote is a bug upstream
  std::byte* p = out.data();
  const std::int64_t fields[] = {static_cast<std::int64_t>(instrument), bid, ask, bid_size,
                                 ask_size};
  for (const std::int64_t field : fields) {
    std::memcpy(p, &field, sizeof field);
    p += sizeof field;
  }
  return true;
}

struct Counts {
  int delivered = 0;
  int failed = 0;
};

void on_report(const ringkafka::DeliveryReport& r, void* context) noexcept {
  auto& c = *static_cast<Counts*>(context);
  (r.ok() ? c.delivered : c.failed) += 1;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: %s BOOTSTRAP TOPIC [COUNT]\n", argv[0]);
    return 2;
  }
  const int count = argc > 3 ? std::atoi(argv[3]) : 1000;
  auto config = ringkafka::Config::low_latency();
  config.bootstrap_servers(argv[1]);
  auto made = ringkafka::Producer::create(config);
  if (!made) {
    std::fprintf(stderr, "%s\n", made.error().message.c_str());
    return 1;
  }
  ringkafka::Producer& producer = *made.value();
  auto topic = producer.topic(argv[2]);
  if (!topic) {
    std::fprintf(stderr, "%s\n", topic.error().message.c_str());
    return 1;
  }

  Counts counts;
  ringkafka::DeliveryReport reports[64];
  int committed = 0;
  int abandoned = 0;
  for (int i = 0; i < count; ++i) {
    const std::uint64_t instrument = 1000 + static_cast<std::uint64_t>(i % 8);
    ringkafka::Reservation r;
    ringkafka::Errc e;
    // The key is the instrument id's 8 bytes: one partition per instrument.
    while (ringkafka::is_full(e = producer.reserve(r, topic.value(), sizeof instrument,
                                                   kQuoteBytes))) {
      for (std::size_t j = 0, n = producer.poll(reports); j < n; ++j) {
        on_report(reports[j], &counts);
      }
    }
    if (e != ringkafka::Errc::kOk) {
      std::fprintf(stderr, "reserve: %s\n", ringkafka::to_string(e));
      return 1;
    }
    std::memcpy(r.key().data(), &instrument, sizeof instrument);
    // Every 100th quote is crossed: the encoder refuses it, and so nothing is sent.
    const std::int64_t bid = 100'250 + i % 7;
    const std::int64_t ask = i % 100 == 99 ? bid - 1 : bid + 5;
    if (encode_quote(r.value(), instrument, bid, ask, 300, 200)) {
      producer.commit(r);  // accepted: exactly one report will follow
      ++committed;
    } else {
      producer.abandon(r);  // not accepted: no report
      ++abandoned;
    }
  }
  if (producer.flush(std::chrono::seconds(30), on_report, &counts) != ringkafka::Errc::kOk) {
    std::fprintf(stderr, "flush timed out\n");
  }
  std::printf("committed %d, abandoned %d; delivered %d, failed %d\n", committed, abandoned,
              counts.delivered, counts.failed);
  return counts.delivered == committed && counts.failed == 0 ? 0 : 1;
}
