#include "raw_client.h"

#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "wire/byte_order.h"

namespace ringkafka::testing {

namespace {
constexpr std::int32_t kMaxFrame = 64 << 20;
}  // namespace

RawClient::~RawClient() {
  if (fd_ >= 0) ::close(fd_);
}

std::string RawClient::connect(const std::string& host_port) {
  const std::string first = host_port.substr(0, host_port.find(','));
  const auto colon = first.rfind(':');
  if (colon == std::string::npos) return "no port in '" + first + "'";
  addrinfo hints{};
  hints.ai_family = AF_INET;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* res = nullptr;
  if (getaddrinfo(first.substr(0, colon).c_str(), first.substr(colon + 1).c_str(), &hints, &res) != 0) {
    return "cannot resolve " + first;
  }
  fd_ = ::socket(res->ai_family, res->ai_socktype, 0);
  const int rc = fd_ < 0 ? -1 : ::connect(fd_, res->ai_addr, res->ai_addrlen);
  freeaddrinfo(res);
  if (rc != 0) return "connect " + first + ": " + std::strerror(errno);
  const int one = 1;
  setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);

  std::vector<std::byte> buf(256);
  wire::Writer w(buf);
  const wire::RequestHeader h{wire::ApiKey::kApiVersions, 3, correlation_id_, "ringkafka-test"};
  if (!wire::encode_api_versions_request(w, h, {"ringkafka", "test"})) return "encode ApiVersions";
  std::string error;
  const auto body = round_trip(w.written(), wire::ApiKey::kApiVersions, 3, error);
  if (!error.empty()) return error;
  const auto s = wire::decode_api_versions_response(body, 3, versions_);
  if (s != wire::DecodeStatus::kOk) return std::string("ApiVersions: ") + std::string(to_string(s));
  if (versions_.error_code != 0) return "ApiVersions error " + std::to_string(versions_.error_code);
  return {};
}

std::vector<std::byte> RawClient::round_trip(std::span<const std::byte> frame, wire::ApiKey key,
                                             std::int16_t version, std::string& error) {
  const std::int32_t expected = correlation_id_++;
  if (!send_all(frame)) {
    error = std::string("send: ") + std::strerror(errno);
    return {};
  }
  std::byte size_bytes[4];
  if (!recv_all(size_bytes, 4)) {
    error = "connection closed or timed out reading a response size";
    return {};
  }
  const auto size = wire::load_be<std::int32_t>(size_bytes);
  if (wire::check_frame_size(size, kMaxFrame) != wire::DecodeStatus::kOk) {
    error = "bad response size " + std::to_string(size);
    return {};
  }
  std::vector<std::byte> frame_in(static_cast<std::size_t>(size));
  if (!recv_all(frame_in.data(), frame_in.size())) {
    error = "connection closed or timed out reading a response";
    return {};
  }
  wire::Reader r(frame_in);
  wire::ResponseHeader header;
  if (wire::read_response_header(r, key, version, header) != wire::DecodeStatus::kOk ||
      header.correlation_id != expected) {
    error = "bad response header (correlation id " + std::to_string(header.correlation_id) +
            ", expected " + std::to_string(expected) + ")";
    return {};
  }
  return {frame_in.begin() + static_cast<std::ptrdiff_t>(r.position()), frame_in.end()};
}

std::string RawClient::produce(const std::string& topic, std::int32_t partition,
                               std::span<const std::byte> batch, std::int16_t acks,
                               wire::ProduceResponseVisitor& visitor) {
  const std::int16_t v = version(wire::ApiKey::kProduce);
  std::vector<std::byte> buf(batch.size() + topic.size() + 256);
  wire::Writer w(buf);
  const wire::ProducePartitionData parts[] = {{partition, batch}};
  const wire::ProduceTopicData topics[] = {{topic, parts}};
  wire::ProduceRequest req;
  req.acks = acks;
  req.timeout_ms = 30000;
  req.topics = topics;
  if (!wire::encode_produce_request(w, {wire::ApiKey::kProduce, v, correlation_id_, "ringkafka-test"},
                                    req)) {
    return "encode Produce";
  }
  std::string error;
  const auto body = round_trip(w.written(), wire::ApiKey::kProduce, v, error);
  if (!error.empty()) return error;
  const auto s = wire::decode_produce_response(body, v, visitor);
  return s == wire::DecodeStatus::kOk ? std::string{} : "Produce response: " + std::string(to_string(s));
}

bool RawClient::send_all(std::span<const std::byte> data) {
  std::size_t done = 0;
  while (done < data.size()) {
    const auto n = ::send(fd_, data.data() + done, data.size() - done, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    done += static_cast<std::size_t>(n);
  }
  return true;
}

bool RawClient::recv_all(std::byte* out, std::size_t n) {
  std::size_t done = 0;
  while (done < n) {
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, timeout_ms_) <= 0) return false;
    const auto got = ::recv(fd_, out + done, n - done, 0);
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) return false;
    done += static_cast<std::size_t>(got);
  }
  return true;
}

}  // namespace ringkafka::testing
