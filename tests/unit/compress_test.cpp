// src/compress: round trips, the frames' exact shape, reading other writers'
// streams, malformed input and bombs, allocation once warm, and the Java
// client's compressed golden batches.  The other direction, the Java client
// reading ours, is the integration test java_reads_compressed.
#include "compress/codec.h"

#include <dlfcn.h>
#include <lz4.h>
#include <lz4frame.h>
#include <snappy.h>
#include <xxhash.h>
#include <zstd.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <new>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "compress/batch.h"
#include "golden.h"
#include "recipe_batch.h"
#include "wire/byte_order.h"
#include "wire/crc32c.h"
#include "wire/record_batch.h"

// Every heap allocation in this program passes through here, so a test can
// count the ones a piece of code makes.  malloc, calloc and realloc forward
// to the allocator that would have served them (glibc's or the
// sanitizer's: the next definition after this program's, found with
// RTLD_NEXT), which also serves free, posix_memalign and the rest.
// operator new is replaced too, because the sanitizers serve it directly
// rather than through malloc; it allocates with malloc, so it is counted once.
//
// The sanitizer runtime calls malloc while it starts, before its shadow
// memory exists, so these functions are not instrumented and touch their
// state only through compiler builtins.
#define RINGKAFKA_ALLOC_HOOK __attribute__((no_sanitize("address", "undefined")))

namespace alloc_hooks {

bool counting = false;
long allocations = 0;

using MallocFn = void* (*)(std::size_t);
using CallocFn = void* (*)(std::size_t, std::size_t);
using ReallocFn = void* (*)(void*, std::size_t);
MallocFn real_malloc = nullptr;
CallocFn real_calloc = nullptr;
ReallocFn real_realloc = nullptr;
bool resolving = false;

template <typename Fn>
RINGKAFKA_ALLOC_HOOK Fn next(const char* name) noexcept {
  void* p = dlsym(RTLD_NEXT, name);
  Fn fn = nullptr;
  static_assert(sizeof fn == sizeof p);
  __builtin_memcpy(&fn, &p, sizeof p);
  return fn;
}

// The first allocation happens before main(), on one thread.  dlsym() may
// allocate itself (to describe a failed lookup); those calls see null
// functions and fail, which dlsym survives.
RINGKAFKA_ALLOC_HOOK void resolve() noexcept {
  if (real_malloc != nullptr || resolving) return;
  resolving = true;
  real_calloc = next<CallocFn>("calloc");
  real_realloc = next<ReallocFn>("realloc");
  real_malloc = next<MallocFn>("malloc");
  resolving = false;
}

RINGKAFKA_ALLOC_HOOK void note() noexcept {
  if (__atomic_load_n(&counting, __ATOMIC_RELAXED)) {
    __atomic_fetch_add(&allocations, 1, __ATOMIC_RELAXED);
  }
}

}  // namespace alloc_hooks

extern "C" RINGKAFKA_ALLOC_HOOK void* malloc(std::size_t n) noexcept {
  alloc_hooks::resolve();
  if (alloc_hooks::real_malloc == nullptr) return nullptr;
  alloc_hooks::note();
  return alloc_hooks::real_malloc(n);
}

extern "C" RINGKAFKA_ALLOC_HOOK void* calloc(std::size_t count, std::size_t n) noexcept {
  alloc_hooks::resolve();
  if (alloc_hooks::real_calloc == nullptr) return nullptr;
  alloc_hooks::note();
  return alloc_hooks::real_calloc(count, n);
}

extern "C" RINGKAFKA_ALLOC_HOOK void* realloc(void* p, std::size_t n) noexcept {
  alloc_hooks::resolve();
  if (alloc_hooks::real_realloc == nullptr) return nullptr;
  alloc_hooks::note();
  return alloc_hooks::real_realloc(p, n);
}

// Not inlined: GCC would otherwise see free() meet operator new's pointer.
[[gnu::noinline]] void* operator new(std::size_t n) {
  if (void* p = std::malloc(n == 0 ? 1 : n)) return p;
  throw std::bad_alloc();
}
[[gnu::noinline]] void* operator new[](std::size_t n) { return operator new(n); }
[[gnu::noinline]] void operator delete(void* p) noexcept { std::free(p); }
[[gnu::noinline]] void operator delete[](void* p) noexcept { std::free(p); }
[[gnu::noinline]] void operator delete(void* p, std::size_t) noexcept { std::free(p); }
[[gnu::noinline]] void operator delete[](void* p, std::size_t) noexcept { std::free(p); }
[[gnu::noinline]] void* operator new(std::size_t n, const std::nothrow_t&) noexcept {
  return std::malloc(n == 0 ? 1 : n);
}
[[gnu::noinline]] void* operator new[](std::size_t n, const std::nothrow_t&) noexcept {
  return std::malloc(n == 0 ? 1 : n);
}
[[gnu::noinline]] void operator delete(void* p, const std::nothrow_t&) noexcept { std::free(p); }
[[gnu::noinline]] void operator delete[](void* p, const std::nothrow_t&) noexcept { std::free(p); }

namespace c = ringkafka::compress;
namespace w = ringkafka::wire;
namespace golden = ringkafka::golden;
using Bytes = std::vector<std::byte>;
using c::Compression;
using c::Status;

namespace {

// Counts the allocations made while it lives.
class CountAllocations {
 public:
  CountAllocations() noexcept {
    __atomic_store_n(&alloc_hooks::allocations, 0, __ATOMIC_SEQ_CST);
    __atomic_store_n(&alloc_hooks::counting, true, __ATOMIC_SEQ_CST);
  }
  ~CountAllocations() { __atomic_store_n(&alloc_hooks::counting, false, __ATOMIC_SEQ_CST); }
  [[nodiscard]] long count() const noexcept {
    return __atomic_load_n(&alloc_hooks::allocations, __ATOMIC_SEQ_CST);
  }
};

bool hooks_work() {
  void* volatile p = nullptr;
  long n = 0;
  {
    CountAllocations counter;
    p = std::malloc(64);
    n = counter.count();
  }
  std::free(p);
  return n == 1;
}

// Text of the kind records carry: words, numbers, punctuation.
Bytes text(std::size_t n, unsigned seed = 1) {
  static const char* const kWords[] = {"user", "id", "event", "click", "view", "page",
                                       "/products/", "session", "ts", "\"", ":", ",",
                                       "{", "}", " ", "checkout", "cart", "region"};
  std::mt19937 rng(seed);
  std::string s;
  while (s.size() < n) {
    s += kWords[rng() % std::size(kWords)];
    if (rng() % 3 == 0) s += std::to_string(rng() % 100000);
  }
  s.resize(n);
  return golden::bytes_of(s);
}

Bytes random_bytes(std::size_t n, unsigned seed = 2) {
  std::mt19937 rng(seed);
  Bytes b(n);
  for (auto& x : b) x = static_cast<std::byte>(rng());
  return b;
}

Bytes zeros(std::size_t n) { return Bytes(n); }

struct Case {
  Compression codec;
  int level;
  const char* name;
};

const Case kCases[] = {
    {Compression::kNone, 0, "none"},          {Compression::kGzip, -1, "gzip"},
    {Compression::kGzip, 1, "gzip_1"},        {Compression::kGzip, 9, "gzip_9"},
    {Compression::kSnappy, 0, "snappy"},      {Compression::kLz4, 9, "lz4"},
    {Compression::kLz4, 1, "lz4_hc1"},        {Compression::kLz4, 12, "lz4_hc12"},
    {Compression::kZstd, 3, "zstd"},          {Compression::kZstd, -5, "zstd_minus5"},
    {Compression::kZstd, 19, "zstd_19"},
};

const Compression kCodecs[] = {Compression::kGzip, Compression::kSnappy, Compression::kLz4,
                               Compression::kZstd};

const char* name(Compression codec) {
  switch (codec) {
    case Compression::kNone: return "none";
    case Compression::kGzip: return "gzip";
    case Compression::kSnappy: return "snappy";
    case Compression::kLz4: return "lz4";
    case Compression::kZstd: return "zstd";
  }
  return "?";
}

Compression codec_named(const std::string& s) {
  for (auto codec : kCodecs) {
    if (s == name(codec)) return codec;
  }
  return Compression::kNone;
}

// Compresses `in` with room for the worst case.
Bytes pack(c::Compressor& compressor, std::span<const std::byte> in) {
  Bytes out(compressor.bound(in.size()));
  const c::Result r = compressor.compress(in, out);
  EXPECT_TRUE(r.ok()) << c::to_string(r.status);
  out.resize(r.ok() ? r.size : 0);
  return out;
}

Bytes pack(Compression codec, std::span<const std::byte> in) {
  auto compressor = c::Compressor::create(codec);
  return pack(*compressor, in);
}

std::unique_ptr<c::Decompressor> reader() {
  auto d = c::Decompressor::create();
  EXPECT_NE(d, nullptr);
  return d;
}

constexpr std::byte kCanary{0xa5};

bool untouched(const Bytes& buf, std::size_t from) {
  return std::all_of(buf.begin() + static_cast<std::ptrdiff_t>(from), buf.end(),
                     [](std::byte b) { return b == kCanary; });
}

// --- levels ---------------------------------------------------------------

TEST(CompressLevels, FollowTheJavaClient) {
  auto range = c::level_range(Compression::kGzip);
  EXPECT_EQ(range.min, 1);
  EXPECT_EQ(range.max, 9);
  EXPECT_EQ(range.default_level, -1);
  range = c::level_range(Compression::kLz4);
  EXPECT_EQ(range.min, 1);
  EXPECT_EQ(range.max, 17);
  EXPECT_EQ(range.default_level, 9);
  range = c::level_range(Compression::kZstd);
  EXPECT_EQ(range.min, -131072);
  EXPECT_EQ(range.max, 22);
  EXPECT_EQ(range.default_level, 3);

  struct Expect {
    Compression codec;
    int level;
    bool valid;
  };
  const Expect expects[] = {
      {Compression::kGzip, -1, true},   {Compression::kGzip, 0, false},
      {Compression::kGzip, 1, true},    {Compression::kGzip, 9, true},
      {Compression::kGzip, 10, false},  {Compression::kLz4, 0, false},
      {Compression::kLz4, 1, true},     {Compression::kLz4, 17, true},
      {Compression::kLz4, 18, false},   {Compression::kZstd, -131072, true},
      {Compression::kZstd, -131073, false}, {Compression::kZstd, 0, true},
      {Compression::kZstd, 22, true},   {Compression::kZstd, 23, false},
      {Compression::kSnappy, 0, true},  {Compression::kSnappy, 1, false},
      {Compression::kNone, 0, true},    {Compression::kNone, 1, false},
      {static_cast<Compression>(5), 0, false},
  };
  for (const auto& e : expects) {
    EXPECT_EQ(c::valid_level(e.codec, e.level), e.valid) << name(e.codec) << " " << e.level;
    EXPECT_EQ(c::Compressor::create(e.codec, e.level) != nullptr, e.valid)
        << name(e.codec) << " " << e.level;
  }
  for (auto codec : kCodecs) {
    const auto compressor = c::Compressor::create(codec);
    ASSERT_NE(compressor, nullptr);
    EXPECT_EQ(compressor->codec(), codec);
    EXPECT_EQ(compressor->level(), c::level_range(codec).default_level);
  }
  EXPECT_EQ(c::Compressor::create(static_cast<Compression>(7)), nullptr);
  Bytes out(16);
  EXPECT_EQ(reader()->decompress(static_cast<Compression>(5), golden::bytes_of("x"), out).status,
            Status::kUnsupportedCodec);
}

// --- round trips ----------------------------------------------------------

class CompressCase : public ::testing::TestWithParam<Case> {};

TEST_P(CompressCase, RoundTripsEverySizeAndKindOfInput) {
  const Case& param = GetParam();
  auto compressor = c::Compressor::create(param.codec, param.level);
  ASSERT_NE(compressor, nullptr);
  auto decompressor = reader();
  for (std::size_t n : {std::size_t{0}, std::size_t{1}, std::size_t{100}, std::size_t{65537},
                        std::size_t{1} << 20}) {
    const std::pair<const char*, Bytes> inputs[] = {
        {"text", text(n)}, {"random", random_bytes(n)}, {"zeros", zeros(n)}};
    for (const auto& [kind, in] : inputs) {
      SCOPED_TRACE(testing::Message() << n << " bytes of " << kind);
      const Bytes packed = pack(*compressor, in);
      if (param.codec != Compression::kNone) {
        ASSERT_FALSE(packed.empty());
      }
      Bytes back(n + 100);
      c::Result r = decompressor->decompress(param.codec, packed, back);
      ASSERT_TRUE(r.ok()) << c::to_string(r.status);
      ASSERT_EQ(r.size, n);
      EXPECT_TRUE(std::equal(in.begin(), in.end(), back.begin()));
      // Exactly enough room, then one byte less.
      Bytes exact(n);
      r = decompressor->decompress(param.codec, packed, exact);
      ASSERT_TRUE(r.ok()) << c::to_string(r.status);
      EXPECT_EQ(exact, in);
      if (n > 0) {
        r = decompressor->decompress(param.codec, packed, std::span(exact).first(n - 1));
        EXPECT_EQ(r.status, Status::kOutputTooSmall);
      }
    }
  }
}

TEST_P(CompressCase, FitsExactlyAndNeverWritesPastItsOutput) {
  const Case& param = GetParam();
  auto compressor = c::Compressor::create(param.codec, param.level);
  auto decompressor = reader();
  // Several lz4 and snappy blocks, the last one short.
  Bytes in = text(150000);
  const Bytes tail = random_bytes(3000);
  in.insert(in.end(), tail.begin(), tail.end());
  const Bytes packed = pack(*compressor, in);
  const std::size_t size = packed.size();
  ASSERT_GT(size, 0U);

  // Exactly the room it needs: every codec but zstd, which wants a little
  // slack (see Compressor::compress()).
  const std::size_t room = size + (param.codec == Compression::kZstd ? c::kZstdSlack : 0);
  Bytes buf(room + 64, kCanary);
  c::Result r = compressor->compress(in, std::span(buf).first(room));
  ASSERT_TRUE(r.ok()) << c::to_string(r.status);
  EXPECT_EQ(r.size, size);
  EXPECT_TRUE(untouched(buf, room));
  Bytes back(in.size());
  r = decompressor->decompress(param.codec, std::span(buf).first(size), back);
  ASSERT_TRUE(r.ok()) << c::to_string(r.status);
  EXPECT_EQ(back, in);

  for (std::size_t less : {size - 1, size / 2, std::size_t{40}, std::size_t{8}, std::size_t{0}}) {
    std::fill(buf.begin(), buf.end(), kCanary);
    r = compressor->compress(in, std::span(buf).first(less));
    EXPECT_EQ(r.status, Status::kOutputTooSmall) << less;
    EXPECT_TRUE(untouched(buf, less)) << less;
  }

  // Decompressing: exactly enough room, then less, with a canary behind.
  Bytes out(in.size() + 64, kCanary);
  r = decompressor->decompress(param.codec, packed, std::span(out).first(in.size()));
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(untouched(out, in.size()));
  for (std::size_t less : {in.size() - 1, std::size_t{65536}, std::size_t{1}, std::size_t{0}}) {
    std::fill(out.begin(), out.end(), kCanary);
    r = decompressor->decompress(param.codec, packed, std::span(out).first(less));
    EXPECT_EQ(r.status, Status::kOutputTooSmall) << less;
    EXPECT_TRUE(untouched(out, less)) << less;
  }
}

INSTANTIATE_TEST_SUITE_P(Codecs, CompressCase, ::testing::ValuesIn(kCases),
                         [](const auto& p) { return std::string(p.param.name); });

// --- what the frames look like --------------------------------------------

TEST(CompressFormat, GzipWritesTheJavaClientsHeader) {
  const Bytes packed = pack(Compression::kGzip, text(1000));
  // GZIPOutputStream: magic, deflate, no flags, mtime 0, XFL 0, OS 255.
  const Bytes want = {std::byte{0x1f}, std::byte{0x8b}, std::byte{8}, std::byte{0},
                      std::byte{0},    std::byte{0},    std::byte{0}, std::byte{0},
                      std::byte{0},    std::byte{0xff}};
  ASSERT_GE(packed.size(), 18U);
  EXPECT_TRUE(std::equal(want.begin(), want.end(), packed.begin()));
  // Trailer: CRC-32 and length of the input, little-endian.
  std::uint32_t isize = 0;
  std::memcpy(&isize, packed.data() + packed.size() - 4, 4);
  EXPECT_EQ(isize, 1000U);
}

TEST(CompressFormat, SnappyWritesXerialFramingIn32KiBBlocks) {
  const std::size_t n = 3 * 32768 + 1696;
  const Bytes in = text(n);
  const Bytes packed = pack(Compression::kSnappy, in);
  const Bytes header = {std::byte{0x82}, std::byte{'S'}, std::byte{'N'}, std::byte{'A'},
                        std::byte{'P'},  std::byte{'P'}, std::byte{'Y'}, std::byte{0},
                        std::byte{0},    std::byte{0},   std::byte{0},   std::byte{1},
                        std::byte{0},    std::byte{0},   std::byte{0},   std::byte{1}};
  ASSERT_GT(packed.size(), header.size());
  EXPECT_TRUE(std::equal(header.begin(), header.end(), packed.begin()));
  std::vector<std::size_t> block_sizes;
  Bytes joined;
  for (std::size_t pos = header.size(); pos < packed.size();) {
    ASSERT_LE(pos + 4, packed.size());
    const auto len = static_cast<std::size_t>(w::load_be<std::int32_t>(packed.data() + pos));
    pos += 4;
    ASSERT_LE(pos + len, packed.size());
    std::string block;
    ASSERT_TRUE(snappy::Uncompress(reinterpret_cast<const char*>(packed.data() + pos), len, &block));
    block_sizes.push_back(block.size());
    const Bytes b = golden::bytes_of(block);
    joined.insert(joined.end(), b.begin(), b.end());
    pos += len;
  }
  EXPECT_EQ(block_sizes, (std::vector<std::size_t>{32768, 32768, 32768, 1696}));
  EXPECT_EQ(joined, in);
  // An empty input is the header alone, and reads back as nothing.
  const Bytes empty = pack(Compression::kSnappy, {});
  EXPECT_EQ(empty, header);
}

TEST(CompressFormat, Lz4WritesIndependent64KiBBlocksWithoutChecksums) {
  const std::size_t n = 3 * 65536 + 5000;
  Bytes in = text(n);
  // The last block will not compress, and goes out raw.
  const Bytes noise = random_bytes(5000);
  std::copy(noise.begin(), noise.end(), in.end() - 5000);
  for (int level : {9, 3}) {
    SCOPED_TRACE(level);
    const auto compressor = c::Compressor::create(Compression::kLz4, level);
    const Bytes packed = pack(*compressor, in);
    ASSERT_GT(packed.size(), 11U);
    EXPECT_EQ(w::load_be<std::uint32_t>(packed.data()), 0x04224d18U) << "magic 0x184D2204 LE";
    const auto flg = static_cast<unsigned>(packed[4]);
    EXPECT_EQ(flg >> 6, 1U) << "version 01";
    EXPECT_TRUE(flg & 0x20) << "block independence";
    EXPECT_FALSE(flg & 0x10) << "block checksum";
    EXPECT_FALSE(flg & 0x08) << "content size";
    EXPECT_FALSE(flg & 0x04) << "content checksum";
    EXPECT_FALSE(flg & 0x01) << "dictionary id";
    EXPECT_EQ(static_cast<unsigned>(packed[5]), 0x40U) << "block maximum 64 KiB";
    const auto hc = static_cast<unsigned>(XXH32(packed.data() + 4, 2, 0) >> 8) & 0xff;
    EXPECT_EQ(static_cast<unsigned>(packed[6]), hc) << "header checksum";

    // LZ4F agrees.
    LZ4F_dctx* dctx = nullptr;
    ASSERT_FALSE(LZ4F_isError(LZ4F_createDecompressionContext(&dctx, LZ4F_VERSION)));
    LZ4F_frameInfo_t info{};
    std::size_t consumed = packed.size();
    EXPECT_FALSE(LZ4F_isError(LZ4F_getFrameInfo(dctx, &info, packed.data(), &consumed)));
    LZ4F_freeDecompressionContext(dctx);
    EXPECT_EQ(info.blockMode, LZ4F_blockIndependent);
    EXPECT_EQ(info.blockSizeID, LZ4F_max64KB);
    EXPECT_EQ(info.contentChecksumFlag, LZ4F_noContentChecksum);
    EXPECT_EQ(info.blockChecksumFlag, LZ4F_noBlockChecksum);
    EXPECT_EQ(info.contentSize, 0U);

    // Each block decodes on its own: none refers to another.
    std::vector<std::size_t> block_sizes;
    std::vector<bool> raw;
    Bytes joined;
    std::size_t pos = 7;
    for (;;) {
      ASSERT_LE(pos + 4, packed.size());
      std::uint32_t word = 0;
      std::memcpy(&word, packed.data() + pos, 4);
      pos += 4;
      if (word == 0) break;
      const std::size_t len = word & 0x7fffffffU;
      ASSERT_LE(pos + len, packed.size());
      Bytes block(65536);
      int got = 0;
      if ((word & 0x80000000U) != 0) {
        std::memcpy(block.data(), packed.data() + pos, len);
        got = static_cast<int>(len);
      } else {
        got = LZ4_decompress_safe(reinterpret_cast<const char*>(packed.data() + pos),
                                  reinterpret_cast<char*>(block.data()), static_cast<int>(len),
                                  static_cast<int>(block.size()));
      }
      ASSERT_GT(got, 0);
      block_sizes.push_back(static_cast<std::size_t>(got));
      raw.push_back((word & 0x80000000U) != 0);
      joined.insert(joined.end(), block.begin(), block.begin() + got);
      pos += len;
    }
    EXPECT_EQ(pos, packed.size()) << "the end mark ends the frame";
    EXPECT_EQ(block_sizes, (std::vector<std::size_t>{65536, 65536, 65536, 5000}));
    EXPECT_EQ(raw, (std::vector<bool>{false, false, false, true}));
    EXPECT_EQ(joined, in);
  }
}

// One frame.  Its header does not carry the content size (a static context
// streams, as the Java client does); readers need none.
TEST(CompressFormat, ZstdWritesOneFrame) {
  const Bytes in = text(70000);
  const Bytes packed = pack(Compression::kZstd, in);
  ASSERT_GE(packed.size(), 4U);
  std::uint32_t magic = 0;
  std::memcpy(&magic, packed.data(), 4);
  EXPECT_EQ(magic, 0xFD2FB528U);
  const auto content = ZSTD_getFrameContentSize(packed.data(), packed.size());
  EXPECT_TRUE(content == in.size() || content == ZSTD_CONTENTSIZE_UNKNOWN) << content;
  EXPECT_EQ(ZSTD_findFrameCompressedSize(packed.data(), packed.size()), packed.size());
}

// --- reading what other writers write --------------------------------------

TEST(CompressRead, GzipReadsSeveralMembersAndNothingAfterThem) {
  const Bytes a = text(5000, 1), b = text(7000, 2);
  Bytes stream = pack(Compression::kGzip, a);
  const Bytes second = pack(Compression::kGzip, b);
  stream.insert(stream.end(), second.begin(), second.end());
  Bytes out(20000);
  const auto d = reader();
  c::Result r = d->decompress(Compression::kGzip, stream, out);
  ASSERT_TRUE(r.ok()) << c::to_string(r.status);
  Bytes want = a;
  want.insert(want.end(), b.begin(), b.end());
  EXPECT_EQ(Bytes(out.begin(), out.begin() + static_cast<std::ptrdiff_t>(r.size)), want);
  stream.push_back(std::byte{0});
  EXPECT_EQ(d->decompress(Compression::kGzip, stream, out).status, Status::kCorrupt);
}

TEST(CompressRead, SnappyReadsRawBlocksAndConcatenatedStreams) {
  const Bytes a = text(40000, 3), b = text(100, 4);
  std::string raw;
  snappy::Compress(reinterpret_cast<const char*>(a.data()), a.size(), &raw);
  Bytes out(50000);
  const auto d = reader();
  c::Result r = d->decompress(Compression::kSnappy, golden::bytes_of(raw), out);
  ASSERT_TRUE(r.ok()) << c::to_string(r.status);
  EXPECT_TRUE(r.size == a.size() && std::equal(a.begin(), a.end(), out.begin()));
  // Two xerial streams back to back read as one.
  Bytes stream = pack(Compression::kSnappy, a);
  const Bytes second = pack(Compression::kSnappy, b);
  stream.insert(stream.end(), second.begin(), second.end());
  r = d->decompress(Compression::kSnappy, stream, out);
  ASSERT_TRUE(r.ok()) << c::to_string(r.status);
  Bytes want = a;
  want.insert(want.end(), b.begin(), b.end());
  EXPECT_EQ(Bytes(out.begin(), out.begin() + static_cast<std::ptrdiff_t>(r.size)), want);
  // A block length that is negative, or longer than what is left.
  Bytes bad = pack(Compression::kSnappy, b);
  w::store_be(bad.data() + 16, std::int32_t{-1});
  EXPECT_EQ(d->decompress(Compression::kSnappy, bad, out).status, Status::kCorrupt);
  w::store_be(bad.data() + 16, static_cast<std::int32_t>(bad.size()));
  EXPECT_EQ(d->decompress(Compression::kSnappy, bad, out).status, Status::kCorrupt);
}

TEST(CompressRead, Lz4ReadsAnyFrame) {
  const Bytes in = text(300000, 5);
  const auto d = reader();
  Bytes out(in.size());
  struct Options {
    LZ4F_blockMode_t mode;
    LZ4F_blockSizeID_t block_size;
    LZ4F_contentChecksum_t content_checksum;
    LZ4F_blockChecksum_t block_checksum;
    bool content_size;
  };
  for (const Options o : {Options{LZ4F_blockLinked, LZ4F_max64KB, LZ4F_noContentChecksum,
                                  LZ4F_noBlockChecksum, false},
                          Options{LZ4F_blockIndependent, LZ4F_max4MB, LZ4F_contentChecksumEnabled,
                                  LZ4F_blockChecksumEnabled, true},
                          Options{LZ4F_blockLinked, LZ4F_max256KB, LZ4F_contentChecksumEnabled,
                                  LZ4F_noBlockChecksum, true}}) {
    LZ4F_preferences_t prefs{};
    prefs.frameInfo.blockMode = o.mode;
    prefs.frameInfo.blockSizeID = o.block_size;
    prefs.frameInfo.contentChecksumFlag = o.content_checksum;
    prefs.frameInfo.blockChecksumFlag = o.block_checksum;
    prefs.frameInfo.contentSize = o.content_size ? in.size() : 0;
    Bytes frame(LZ4F_compressFrameBound(in.size(), &prefs));
    const std::size_t n =
        LZ4F_compressFrame(frame.data(), frame.size(), in.data(), in.size(), &prefs);
    ASSERT_FALSE(LZ4F_isError(n));
    frame.resize(n);
    c::Result r = d->decompress(Compression::kLz4, frame, out);
    ASSERT_TRUE(r.ok()) << c::to_string(r.status);
    EXPECT_EQ(out, in);
    if (o.content_checksum == LZ4F_contentChecksumEnabled) {
      frame[frame.size() - 1] ^= std::byte{1};
      EXPECT_EQ(d->decompress(Compression::kLz4, frame, out).status, Status::kCorrupt);
    }
  }
  // Two frames back to back.
  Bytes two = pack(Compression::kLz4, std::span(in).first(1000));
  const Bytes second = pack(Compression::kLz4, std::span(in).subspan(1000, 2000));
  two.insert(two.end(), second.begin(), second.end());
  const c::Result r = d->decompress(Compression::kLz4, two, out);
  ASSERT_TRUE(r.ok()) << c::to_string(r.status);
  EXPECT_EQ(r.size, 3000U);
  EXPECT_TRUE(std::equal(out.begin(), out.begin() + 3000, in.begin()));
}

TEST(CompressRead, ZstdReadsStreamedFramesAndSeveralFrames) {
  const Bytes in = text(200000, 6);
  const auto d = reader();
  Bytes out(in.size());
  // As the Java client writes it: no content size in the header.
  ZSTD_CCtx* cctx = ZSTD_createCCtx();
  ASSERT_FALSE(ZSTD_isError(ZSTD_CCtx_setParameter(cctx, ZSTD_c_contentSizeFlag, 0)));
  ASSERT_FALSE(ZSTD_isError(ZSTD_CCtx_setParameter(cctx, ZSTD_c_checksumFlag, 1)));
  Bytes frame(ZSTD_compressBound(in.size()));
  const std::size_t n = ZSTD_compress2(cctx, frame.data(), frame.size(), in.data(), in.size());
  ZSTD_freeCCtx(cctx);
  ASSERT_FALSE(ZSTD_isError(n));
  frame.resize(n);
  EXPECT_EQ(ZSTD_getFrameContentSize(frame.data(), frame.size()), ZSTD_CONTENTSIZE_UNKNOWN);
  c::Result r = d->decompress(Compression::kZstd, frame, out);
  ASSERT_TRUE(r.ok()) << c::to_string(r.status);
  EXPECT_EQ(out, in);
  // Without a declared size the limit is still the output span.
  EXPECT_EQ(d->decompress(Compression::kZstd, frame, std::span(out).first(1000)).status,
            Status::kOutputTooSmall);
  frame[frame.size() - 1] ^= std::byte{1};  // the checksum
  EXPECT_EQ(d->decompress(Compression::kZstd, frame, out).status, Status::kCorrupt);

  Bytes two = pack(Compression::kZstd, std::span(in).first(1000));
  const Bytes second = pack(Compression::kZstd, std::span(in).subspan(1000, 2000));
  two.insert(two.end(), second.begin(), second.end());
  r = d->decompress(Compression::kZstd, two, out);
  ASSERT_TRUE(r.ok()) << c::to_string(r.status);
  EXPECT_EQ(r.size, 3000U);
}

// --- malformed input ----------------------------------------------------

TEST(CompressMalformed, EveryTruncationIsAnError) {
  const auto d = reader();
  const Bytes in = text(300, 7);
  std::string raw_snappy;
  snappy::Compress(reinterpret_cast<const char*>(in.data()), in.size(), &raw_snappy);
  struct Stream {
    Compression codec;
    Bytes bytes;
    const char* what;
  };
  std::vector<Stream> streams;
  for (auto codec : kCodecs) streams.push_back({codec, pack(codec, in), name(codec)});
  streams.push_back({Compression::kSnappy, golden::bytes_of(raw_snappy), "raw snappy"});
  // Room to spare, so that a cut stream is never mistaken for a long one;
  // a raw snappy block's length preamble can be read from the xerial magic.
  Bytes out(16384);
  for (const auto& s : streams) {
    ASSERT_TRUE(d->decompress(s.codec, s.bytes, out).ok()) << s.what;
    for (std::size_t k = 0; k < s.bytes.size(); ++k) {
      const c::Result r = d->decompress(s.codec, std::span(s.bytes).first(k), out);
      // xerial framing has no end mark: cut between blocks, it is a shorter
      // valid stream (here: the header alone, no data).  The batch's record
      // count catches that one.
      if (std::string(s.what) == "snappy" && k == 16) {
        EXPECT_TRUE(r.ok() && r.size == 0) << s.what << " cut after the header";
        continue;
      }
      EXPECT_FALSE(r.ok()) << s.what << " cut to " << k << " of " << s.bytes.size();
      EXPECT_NE(r.status, Status::kOutputTooSmall) << s.what << " cut to " << k;
    }
  }
}

TEST(CompressMalformed, GarbageNeverCrashes) {
  const auto d = reader();
  std::mt19937 rng(11);
  Bytes out(1 << 16);
  const Bytes in = text(20000, 8);
  for (auto codec : kCodecs) {
    SCOPED_TRACE(name(codec));
    const Bytes valid = pack(codec, in);
    // What a codec's reader looks at first, so garbage gets past it.
    const Bytes prefix(valid.begin(), valid.begin() + (codec == Compression::kSnappy ? 16 : 7));
    int ok = 0;
    for (int i = 0; i < 3000; ++i) {
      Bytes g;
      switch (i % 3) {
        case 0:  // noise
          g = random_bytes(rng() % 600, static_cast<unsigned>(rng()));
          break;
        case 1: {  // a valid start, then noise
          g = prefix;
          const Bytes noise = random_bytes(rng() % 600, static_cast<unsigned>(rng()));
          g.insert(g.end(), noise.begin(), noise.end());
          break;
        }
        default:  // a valid stream with a few bytes changed
          g = valid;
          for (unsigned j = 0, flips = 1 + rng() % 4; j < flips; ++j) {
            g[rng() % g.size()] ^= static_cast<std::byte>(1 + rng() % 255);
          }
      }
      const c::Result r = d->decompress(codec, g, out);
      if (r.ok()) {
        ++ok;
        EXPECT_LE(r.size, out.size());
      }
    }
    // Most is refused; but only gzip carries a checksum of the data, so in
    // the other formats a changed literal byte can go unnoticed (the batch
    // CRC32C is what catches it).
    EXPECT_LT(ok, 1500);
  }
}

TEST(CompressMalformed, DecompressionBombStopsAtTheOutputSpan) {
  ASSERT_TRUE(hooks_work());
  const Bytes bomb_input = zeros(std::size_t{100} << 20);
  const auto d = reader();
  for (auto codec : kCodecs) {
    SCOPED_TRACE(name(codec));
    const Bytes bomb = pack(codec, bomb_input);
    ASSERT_FALSE(bomb.empty());
    Bytes out((std::size_t{1} << 20) + 4096, kCanary);
    // Once warm, reading allocates nothing, bomb or not.
    const Bytes small = pack(codec, text(100000));
    ASSERT_TRUE(d->decompress(codec, small, out).ok());
    std::fill(out.begin(), out.end(), kCanary);
    c::Result r;
    long allocations = 0;
    {
      CountAllocations counter;
      r = d->decompress(codec, bomb, std::span(out).first(std::size_t{1} << 20));
      allocations = counter.count();
    }
    EXPECT_EQ(r.status, Status::kOutputTooSmall) << bomb.size() << " compressed bytes";
    EXPECT_TRUE(untouched(out, std::size_t{1} << 20));
    EXPECT_EQ(allocations, 0);
  }
}

// --- steady state: no allocation -----------------------------------------

// A 16 KiB batch of 16-byte keys and 100-byte values, as a producer makes.
Bytes batch_records() {
  Bytes buf(16384);
  w::RecordBatchWriter writer(buf);
  const Bytes values = text(100000, 9);
  for (int i = 0;; ++i) {
    std::string key = "user-";
    key.append(std::to_string(100000000 + i)).append("xx");
    const auto k = golden::bytes_of(key);
    const auto v = std::span(values).subspan(static_cast<std::size_t>(i) * 100 % 90000, 100);
    if (!writer.append(1700000000000 + i, w::NullableBytes::of(k), w::NullableBytes::of(v))) break;
  }
  return {writer.records().begin(), writer.records().end()};
}

TEST(CompressSteadyState, NoAllocationOnceWarm) {
  ASSERT_TRUE(hooks_work());
  const Bytes records = batch_records();
  const auto d = reader();
  for (const Case& k : kCases) {
    SCOPED_TRACE(k.name);
    const auto compressor = c::Compressor::create(k.codec, k.level);
    Bytes packed(compressor->bound(records.size()));
    Bytes back(records.size());
    // Batches of other sizes in between: contexts sized for the largest
    // serve the smaller ones.
    const std::size_t sizes[] = {records.size(), 1000, 37, records.size(), 5000};
    for (int warm = 0; warm < 2; ++warm) {
      const c::Result r = compressor->compress(records, packed);
      ASSERT_TRUE(r.ok());
      ASSERT_TRUE(d->decompress(k.codec, std::span(packed).first(r.size), back).ok());
    }
    long compress_allocations = 0;
    long decompress_allocations = 0;
    for (int round = 0; round < 4; ++round) {
      for (std::size_t n : sizes) {
        c::Result r;
        {
          CountAllocations counter;
          r = compressor->compress(std::span(records).first(n), packed);
          compress_allocations += counter.count();
        }
        ASSERT_TRUE(r.ok());
        c::Result u;
        {
          CountAllocations counter;
          u = d->decompress(k.codec, std::span(packed).first(r.size), back);
          decompress_allocations += counter.count();
        }
        ASSERT_TRUE(u.ok());
        ASSERT_EQ(u.size, n);
      }
    }
    EXPECT_EQ(decompress_allocations, 0);
    // Inside the libraries, one per block (all batches here are one block):
    // snappy's RawCompress allocates its working memory every call, and
    // LZ4's optimal parser (levels 10 and up) its table, with no way to hand
    // either one in.
    const bool allocates_per_block = k.codec == Compression::kSnappy ||
                                     (k.codec == Compression::kLz4 && k.level >= 10);
    const long calls = 4 * static_cast<long>(std::size(sizes));
    EXPECT_EQ(compress_allocations, allocates_per_block ? calls : 0);
  }
}

// --- batches ---------------------------------------------------------------

// Fields of the header that do not depend on the records' encoding.
void expect_same_header_fields(std::span<const std::byte> ours, std::span<const std::byte> theirs) {
  ASSERT_GE(ours.size(), w::kRecordBatchHeaderSize);
  ASSERT_GE(theirs.size(), w::kRecordBatchHeaderSize);
  const auto same = [&](std::size_t from, std::size_t to) {
    return std::equal(ours.begin() + static_cast<std::ptrdiff_t>(from),
                      ours.begin() + static_cast<std::ptrdiff_t>(to),
                      theirs.begin() + static_cast<std::ptrdiff_t>(from));
  };
  EXPECT_TRUE(same(0, 8)) << "base offset";
  EXPECT_TRUE(same(12, 17)) << "partition leader epoch, magic";
  EXPECT_TRUE(same(21, 61)) << "attributes .. record count";
}

void expect_well_formed(std::span<const std::byte> batch) {
  ASSERT_GE(batch.size(), w::kRecordBatchHeaderSize);
  EXPECT_EQ(w::load_be<std::int32_t>(batch.data() + 8), static_cast<std::int32_t>(batch.size() - 12));
  EXPECT_EQ(w::load_be<std::uint32_t>(batch.data() + 17), w::crc32c(batch.subspan(21)));
}

TEST(CompressGolden, JavaClientBatchesDecompressToOurRecords) {
  const auto d = reader();
  int compared = 0;
  for (const auto& g : golden::recipe_batches()) {
    if (g.codec == "none") continue;
    SCOPED_TRACE(g.name);
    const Compression codec = codec_named(g.codec);
    ASSERT_NE(codec, Compression::kNone) << g.codec;
    const auto theirs = std::span<const std::byte>(g.bytes);
    expect_well_formed(theirs);
    EXPECT_EQ(w::load_be<std::int16_t>(theirs.data() + 21) & 7, static_cast<int>(codec));

    Bytes buf(1 << 16);
    w::RecordBatchWriter writer(buf);
    ASSERT_TRUE(golden::fill(writer, g));
    Bytes records(writer.records().size() + 100);
    const c::Result r =
        d->decompress(codec, theirs.subspan(w::kRecordBatchHeaderSize), records);
    ASSERT_TRUE(r.ok()) << c::to_string(r.status);
    records.resize(r.size);
    EXPECT_EQ(golden::hex(records), golden::hex(writer.records()));

    const auto compressor = c::Compressor::create(codec);
    Bytes out(c::compressed_batch_bound(writer, *compressor));
    const c::Result sealed = c::seal_compressed(writer, *compressor, out);
    ASSERT_TRUE(sealed.ok()) << c::to_string(sealed.status);
    const auto ours = std::span<const std::byte>(out).first(sealed.size);
    expect_same_header_fields(ours, theirs);
    expect_well_formed(ours);
    ++compared;
  }
  EXPECT_EQ(compared, 4);
}

// Not a requirement, brokers take any valid encoding: but the same deflate
// (the JDK uses the system zlib) and the same snappy give the same bytes,
// which pins the gzip header and the xerial framing exactly.  Holds for
// Debian bookworm's zlib 1.2.13 and snappy 1.1.9 against kafka-clients
// 4.3.1; after a library upgrade a difference here may be a new, still
// valid, encoding (the test above is the one that must hold).
TEST(CompressGolden, GzipAndSnappyBatchesEqualTheJavaClientsByteForByte) {
  int compared = 0;
  for (const auto& g : golden::recipe_batches()) {
    if (g.codec != "gzip" && g.codec != "snappy") continue;
    Bytes buf(1 << 16);
    w::RecordBatchWriter writer(buf);
    ASSERT_TRUE(golden::fill(writer, g));
    const auto compressor = c::Compressor::create(codec_named(g.codec));
    Bytes out(c::compressed_batch_bound(writer, *compressor));
    const c::Result r = c::seal_compressed(writer, *compressor, out);
    ASSERT_TRUE(r.ok()) << c::to_string(r.status);
    EXPECT_EQ(golden::hex(std::span(out).first(r.size)), golden::hex(g.bytes)) << g.name;
    ++compared;
  }
  EXPECT_EQ(compared, 2);
}

TEST(CompressBatch, SealCompressedKeepsTheHeaderAndTheWriter) {
  golden::RecipeBatch recipe{"transactional", "zstd", 40, true, false, true,
                             w::ProducerFields{987654321012, 3, 2147483600, true}, {}};
  Bytes buf(1 << 16);
  w::RecordBatchWriter writer(buf);
  ASSERT_TRUE(golden::fill(writer, recipe));
  const Bytes records(writer.records().begin(), writer.records().end());
  const auto d = reader();
  for (const Case& k : kCases) {
    SCOPED_TRACE(k.name);
    const auto compressor = c::Compressor::create(k.codec, k.level);
    Bytes out(c::compressed_batch_bound(writer, *compressor) + 64, kCanary);
    const std::size_t room = out.size() - 64;
    const c::Result r = c::seal_compressed(writer, *compressor, std::span(out).first(room));
    ASSERT_TRUE(r.ok()) << c::to_string(r.status);
    EXPECT_TRUE(untouched(out, room));
    const auto batch = std::span<const std::byte>(out).first(r.size);
    expect_well_formed(batch);
    EXPECT_EQ(w::load_be<std::int16_t>(batch.data() + 21), 0x10 | static_cast<int>(k.codec))
        << "transactional bit and codec";
    EXPECT_EQ(w::load_be<std::int32_t>(batch.data() + 57), 40) << "record count";
    Bytes back(records.size());
    const c::Result u = d->decompress(k.codec, batch.subspan(61), back);
    ASSERT_TRUE(u.ok()) << c::to_string(u.status);
    EXPECT_EQ(back, records);

    // Too small, by one byte and for the header alone.
    for (std::size_t small : {r.size - 1, w::kRecordBatchHeaderSize - 1, std::size_t{0}}) {
      std::fill(out.begin(), out.end(), kCanary);
      EXPECT_EQ(c::seal_compressed(writer, *compressor, std::span(out).first(small)).status,
                Status::kOutputTooSmall)
          << small;
      EXPECT_TRUE(untouched(out, small));
    }
  }
  // Sealing compressed changed nothing: the writer still seals as before.
  const auto plain = writer.seal();
  expect_well_formed(plain);
  EXPECT_EQ(w::load_be<std::int16_t>(plain.data() + 21), 0x10);
  EXPECT_TRUE(std::equal(records.begin(), records.end(), plain.begin() + 61));
}

}  // namespace
