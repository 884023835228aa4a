// CRC32C (Castagnoli, reflected polynomial 0x82F63B78), the checksum of a
// Kafka RecordBatch v2: it covers everything from the attributes field to the
// end of the batch.
//
// crc32c() picks, once per process, the SSE4.2 `crc32` instruction when the
// CPU has it and the table-driven portable code otherwise; both are exposed so
// tests and benchmarks can check and time each.
//
// The value is the finished checksum (initial ~0, final xor), so
// crc32c("123456789") == 0xE3069283.  `crc` continues a previous call:
// crc32c(b, crc32c(a)) == crc32c(a + b).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

namespace ringkafka::wire {

[[nodiscard]] std::uint32_t crc32c(std::span<const std::byte> data, std::uint32_t crc = 0) noexcept;
[[nodiscard]] std::uint32_t crc32c_portable(std::span<const std::byte> data,
                                            std::uint32_t crc = 0) noexcept;
// Only valid where crc32c_hardware_available() is true.
[[nodiscard]] std::uint32_t crc32c_hardware(std::span<const std::byte> data,
                                            std::uint32_t crc = 0) noexcept;
[[nodiscard]] bool crc32c_hardware_available() noexcept;

}  // namespace ringkafka::wire
