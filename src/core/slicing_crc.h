// Table-driven CRC-32 (reflected, init and final xor ~0) with slicing-by-8:
// table[s][b] is the CRC of byte b followed by s zero bytes, so eight
// lookups advance the CRC by eight input bytes.  One implementation serves
// both CRCs ringkafka needs: CRC32C (0x82F63B78) for RecordBatch checksums
// where the CPU lacks the instruction, and the IEEE CRC-32 (0xEDB88320) of
// librdkafka's `consistent` partitioner.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>

namespace ringkafka::core {

template <std::uint32_t kReflectedPolynomial>
class SlicingCrc32 {
 public:
  // Continues `crc` (a finished CRC, 0 to start) over `data`.
  [[nodiscard]] static std::uint32_t update(std::span<const std::byte> data,
                                            std::uint32_t crc = 0) noexcept {
    const auto* p = reinterpret_cast<const unsigned char*>(data.data());
    std::size_t n = data.size();
    std::uint32_t c = ~crc;
    for (; n >= 8; n -= 8, p += 8) {
      std::uint32_t lo;
      std::uint32_t hi;
      std::memcpy(&lo, p, 4);  // little-endian host: byte 0 in the low bits
      std::memcpy(&hi, p + 4, 4);
      lo ^= c;
      c = kTables[7][lo & 0xff] ^ kTables[6][(lo >> 8) & 0xff] ^ kTables[5][(lo >> 16) & 0xff] ^
          kTables[4][lo >> 24] ^ kTables[3][hi & 0xff] ^ kTables[2][(hi >> 8) & 0xff] ^
          kTables[1][(hi >> 16) & 0xff] ^ kTables[0][hi >> 24];
    }
    for (; n > 0; --n, ++p) c = (c >> 8) ^ kTables[0][(c ^ *p) & 0xff];
    return ~c;
  }

 private:
  using Tables = std::array<std::array<std::uint32_t, 256>, 8>;

  static constexpr Tables make_tables() noexcept {
    Tables t{};
    for (std::uint32_t b = 0; b < 256; ++b) {
      std::uint32_t c = b;
      for (int k = 0; k < 8; ++k) c = (c >> 1) ^ (kReflectedPolynomial & (0U - (c & 1U)));
      t[0][b] = c;
    }
    for (std::size_t s = 1; s < 8; ++s) {
      for (std::size_t b = 0; b < 256; ++b) t[s][b] = (t[s - 1][b] >> 8) ^ t[0][t[s - 1][b] & 0xff];
    }
    return t;
  }

  static constexpr Tables kTables = make_tables();
};

}  // namespace ringkafka::core
