#include "wire/produce.h"

namespace ringkafka::wire {
namespace {

constexpr ApiKey kKey = ApiKey::kProduce;
constexpr std::uint32_t kCurrentLeaderTag = 0;   // partition level, v10+
constexpr std::uint32_t kNodeEndpointsTag = 0;   // response level, v10+

// Calls `on_tag(tag, reader-over-its-bytes)` for each tagged field; unknown
// tags are the caller's to ignore.  Each field is read from its own bounded
// reader, so a field shorter than it claims cannot run into the next one.
template <typename OnTag>
void read_tagged_fields(Reader& r, OnTag&& on_tag) noexcept {
  const std::uint32_t count = r.uvarint();
  for (std::uint32_t i = 0; i < count && r.ok(); ++i) {
    const std::uint32_t tag = r.uvarint();
    const auto field = r.raw(r.uvarint());
    if (!r.ok()) return;
    Reader fr(field);
    if (!on_tag(tag, fr)) r.fail();
  }
}

DecodeStatus walk(std::span<const std::byte> body, std::int16_t version,
                  ProduceResponseVisitor* visitor) noexcept {
  Reader r(body);
  const bool flexible = is_flexible(kKey, version);
  MessageReader m(r, flexible);
  const std::int32_t topics = m.array_length(1 + 1 + (flexible ? 1 : 0));
  for (std::int32_t t = 0; t < topics && r.ok(); ++t) {
    const std::string_view topic = m.string();
    // index, error code, base offset, log append time: present in every version.
    const std::int32_t partitions = m.array_length(4 + 2 + 8 + 8);
    for (std::int32_t p = 0; p < partitions && r.ok(); ++p) {
      ProducePartitionResponse pr;
      pr.topic = topic;
      pr.partition = r.int32();
      pr.error_code = r.int16();
      pr.base_offset = r.int64();
      pr.log_append_time_ms = r.int64();
      if (version >= 5) pr.log_start_offset = r.int64();
      if (version >= 8) {
        pr.record_error_count = m.array_length(4 + 1);
        for (std::int32_t e = 0; e < pr.record_error_count && r.ok(); ++e) {
          ProduceRecordError re{topic, pr.partition, r.int32(), {}};
          re.message = m.string();
          m.skip_tagged_fields();
          if (visitor != nullptr && r.ok()) visitor->on_record_error(re);
        }
        pr.error_message = m.string();
      }
      if (flexible) {
        read_tagged_fields(r, [&](std::uint32_t tag, Reader& fr) {
          if (version >= 10 && tag == kCurrentLeaderTag) {
            pr.current_leader_id = fr.int32();
            pr.current_leader_epoch = fr.int32();
            fr.skip_tagged_fields();
            return fr.ok();
          }
          return true;
        });
      }
      if (visitor != nullptr && r.ok()) visitor->on_partition(pr);
    }
    m.skip_tagged_fields();
  }
  const std::int32_t throttle = r.int32();
  if (flexible) {
    read_tagged_fields(r, [&](std::uint32_t tag, Reader& fr) {
      if (version < 10 || tag != kNodeEndpointsTag) return true;
      MessageReader fm(fr, true);
      const std::int32_t n = fm.array_length(4 + 1 + 4 + 1 + 1);
      for (std::int32_t i = 0; i < n && fr.ok(); ++i) {
        ProduceNodeEndpoint ep;
        ep.node_id = fr.int32();
        ep.host = fm.string();
        ep.port = fr.int32();
        ep.rack = fm.string();
        fm.skip_tagged_fields();
        if (visitor != nullptr && fr.ok()) visitor->on_node_endpoint(ep);
      }
      return fr.ok() && fr.remaining() == 0;
    });
  }
  if (visitor != nullptr && r.ok()) visitor->on_throttle(throttle);
  return finish_decode(r);
}

}  // namespace

bool encode_produce_request(Writer& w, const RequestHeader& h, const ProduceRequest& req) noexcept {
  return encode_request(w, h, kKey, [&](MessageWriter& m) {
    m.nullable_string(req.transactional_id);
    w.int16(req.acks);
    w.int32(req.timeout_ms);
    m.array_length(req.topics.size());
    for (const auto& topic : req.topics) {
      m.string(topic.name);
      m.array_length(topic.partitions.size());
      for (const auto& part : topic.partitions) {
        w.int32(part.partition);
        m.bytes(part.records);
        m.tagged_fields();
      }
      m.tagged_fields();
    }
    m.tagged_fields();
  });
}

DecodeStatus decode_produce_response(std::span<const std::byte> body, std::int16_t version,
                                     ProduceResponseVisitor& visitor) noexcept {
  if (!version_supported(kKey, version)) return DecodeStatus::kUnsupportedVersion;
  if (const DecodeStatus s = walk(body, version, nullptr); s != DecodeStatus::kOk) return s;
  return walk(body, version, &visitor);
}

}  // namespace ringkafka::wire
