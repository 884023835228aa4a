// A program written as a user would, against an installed ringkafka.
#include <ringkafka/version.h>

#include <cstdio>

int main() {
  const auto v = ringkafka::version();
  std::printf("ringkafka %.*s\n", static_cast<int>(v.size()), v.data());
  return v.empty() ? 1 : 0;
}
