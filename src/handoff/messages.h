// Report texts that are not static: the broker's error_message and its
// per-record errors (KIP-467), each behind the error's name
// ("INVALID_RECORD: <the broker's words>").  Interned into a fixed arena
// made with the producer, so a report's `message` stays valid as long as
// the producer does (the contract DeliveryReport documents), the same text
// is stored once, and nothing allocates when an answer brings one.  When
// the arena is full, intern() answers nullptr and the caller reports the
// error's name alone.
//
// Only the sender writes; application threads read the text through the
// pointer in a report, published after the text by the report queue's
// release store (report_queue.h).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string_view>

namespace ringkafka::handoff {

class MessageTable {
 public:
  static constexpr std::size_t kArenaBytes = 64 * 1024;
  static constexpr std::size_t kMaxEntries = 512;
  static constexpr std::size_t kMaxText = 400;  // longer texts are cut, with "..."

  MessageTable() : arena_(std::make_unique<char[]>(kArenaBytes)) {}

  // "prefix: text", NUL-terminated, stored once; nullptr when full.
  const char* intern(std::string_view prefix, std::string_view text) noexcept {
    return intern_parts(prefix, ": ", text);
  }
  // `text` alone, the same way.
  const char* intern(std::string_view text) noexcept { return intern_parts({}, {}, text); }

 private:
  const char* intern_parts(std::string_view prefix, std::string_view glue,
                           std::string_view text) noexcept {
    char buf[kMaxText + 1];
    std::size_t n = 0;
    const auto put = [&](std::string_view part) noexcept {
      const std::size_t k = part.size() < kMaxText - n ? part.size() : kMaxText - n;
      if (k == 0) return;  // an empty view's data() may be null: no memcpy
      std::memcpy(buf + n, part.data(), k);
      n += k;
    };
    put(prefix);
    put(glue);
    put(text);
    if (n == kMaxText && prefix.size() + glue.size() + text.size() > kMaxText) {
      std::memcpy(buf + n - 3, "...", 3);
    }
    buf[n] = '\0';
    const std::uint64_t h = hash({buf, n});
    for (std::size_t i = 0; i < entries_; ++i) {
      if (hashes_[i] == h && std::strcmp(texts_[i], buf) == 0) return texts_[i];
    }
    if (entries_ == kMaxEntries || kArenaBytes - used_ < n + 1) return nullptr;
    char* at = arena_.get() + used_;
    std::memcpy(at, buf, n + 1);
    used_ += n + 1;
    hashes_[entries_] = h;
    texts_[entries_] = at;
    ++entries_;
    return at;
  }

 public:
  [[nodiscard]] std::size_t size() const noexcept { return entries_; }

 private:
  static std::uint64_t hash(std::string_view s) noexcept {  // FNV-1a
    std::uint64_t h = 14695981039346656037ULL;
    for (const char c : s) h = (h ^ static_cast<unsigned char>(c)) * 1099511628211ULL;
    return h;
  }

  std::unique_ptr<char[]> arena_;
  std::size_t used_ = 0;
  std::size_t entries_ = 0;
  std::array<std::uint64_t, kMaxEntries> hashes_{};
  std::array<const char*, kMaxEntries> texts_{};
};

}  // namespace ringkafka::handoff
