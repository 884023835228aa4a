#!/usr/bin/env bash
# check_install.sh BUILD_DIR CONSUMER.cpp
# Installs the build into a scratch root, then compiles and runs CONSUMER.cpp
# using nothing but the installed headers, library and pkg-config file, linked
# against the shared library and against the static one.  Each time, linking
# ringkafka must not change the program's allocator (issue 13): no malloc
# replacement in its NEEDED list, and at run time (LD_DEBUG=bindings) every
# malloc binds to libc and every operator new to libstdc++.  The pkg-config
# file must carry no absolute library path.
set -euo pipefail
build=$1 consumer=$2
root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT

meson install -C "$build" --destdir "$root" --no-rebuild --quiet
pc=$(find "$root" -name ringkafka.pc | head -n 1)
[[ -n $pc ]] || { echo "meson install wrote no ringkafka.pc"; exit 1; }
for h in ringkafka/version.h ringkafka/export.h; do
  find "$root" -path "*/include/$h" | grep -q . || { echo "header $h not installed"; exit 1; }
done
if find "$root" -path '*/include/*' -name '*.h' | grep -v '/include/ringkafka/' | grep -q .; then
  echo "headers installed outside include/ringkafka/:"; find "$root" -path '*/include/*' -name '*.h'; exit 1
fi
find "$root" -name 'libringkafka.a' | grep -q . || { echo "static library not installed"; exit 1; }
so=$(find "$root" -name 'libringkafka.so.*' | head -n 1)
[[ -n $so ]] || { echo "shared library not installed"; exit 1; }

if grep -E '^(Libs|Libs.private):' "$pc" | grep -qE '(^|[[:space:]])/[^[:space:]]*\.(so|a)'; then
  echo "ringkafka.pc carries an absolute library path:"; grep -E '^Libs' "$pc"; exit 1
fi

# BINARY: its allocator is the system's (see the top).
check_allocator() {
  local bin=$1
  if readelf -d "$bin" | grep NEEDED | grep -Ei 'mimalloc|jemalloc|tcmalloc'; then
    echo "$bin needs a malloc replacement"; exit 1
  fi
  rm -f "$root"/bind.*
  LD_DEBUG=bindings LD_DEBUG_OUTPUT="$root/bind" LD_LIBRARY_PATH=$(dirname "$so") "$bin" >/dev/null
  local mallocs news
  mallocs=$(grep -h "normal symbol \`malloc'" "$root"/bind.* || true)
  news=$(grep -h "normal symbol \`_Znwm'" "$root"/bind.* || true)
  [[ -n $mallocs ]] || { echo "LD_DEBUG saw no malloc binding for $bin"; exit 1; }
  if grep -v ' to [^ ]*/libc\.so' <<<"$mallocs"; then echo "malloc of $bin binds elsewhere"; exit 1; fi
  if [[ -n $news ]] && grep -v ' to [^ ]*/libstdc++\.so' <<<"$news"; then
    echo "operator new of $bin binds elsewhere"; exit 1
  fi
  echo "$bin: malloc -> libc ($(wc -l <<<"$mallocs") bindings), operator new -> libstdc++"
}

export PKG_CONFIG_PATH=$(dirname "$pc") PKG_CONFIG_SYSROOT_DIR=$root
flags=$(pkg-config --cflags --libs ringkafka)
echo "pkg-config: $flags"
# shellcheck disable=SC2086
${CXX:-c++} -std=c++20 -Wall -Werror "$consumer" $flags -o "$root/consumer"
out=$(LD_LIBRARY_PATH=$(dirname "$so") "$root/consumer")
echo "$out"
[[ $out == "ringkafka "* ]]
check_allocator "$root/consumer"

# The same program with the static library and pkg-config --static.
a=$(find "$root" -name 'libringkafka.a' | head -n 1)
static_flags=$(pkg-config --cflags --static --libs ringkafka | sed "s#-lringkafka#$a#")
echo "pkg-config --static: $static_flags"
# shellcheck disable=SC2086
${CXX:-c++} -std=c++20 -Wall -Werror "$consumer" $static_flags -o "$root/consumer-static"
if readelf -d "$root/consumer-static" | grep NEEDED | grep -q ringkafka; then
  echo "the static consumer still needs libringkafka.so"; exit 1
fi
out=$("$root/consumer-static")
[[ $out == "ringkafka "* ]]
check_allocator "$root/consumer-static"

# Snippets as a user pastes them into main(), built against the installed
# headers with -Wall -Wextra -Werror: snippet.py FILE MARKER OUT [--context]
# takes the first C++ block after MARKER ("": the page's first), hoists its
# #includes and, with --context, declares what a page's fragment assumes (a config, a producer,
# a topic, an on_report handler and its state, some orders).
cat >"$root/snippet.py" <<'PY'
import sys
path, marker, out_path = sys.argv[1:4]
text = open(path).read()
block = text[text.index("```cpp\n", text.index(marker)) + 7:]
lines = block[:block.index("```")].splitlines()
head = [l for l in lines if l.startswith("#include")]
body = ["  " + l for l in lines if not l.startswith("#include")]
head += ["#include <ringkafka/producer.h>", "#include <chrono>", "#include <cstring>",
         "#include <iostream>", "#include <vector>", "", "int main() {"]
if "--context" in sys.argv[4:]:
    head[-1:] = ["struct State { int delivered = 0; };",
                 "void on_report(const ringkafka::DeliveryReport&, void* s) noexcept {",
                 "  static_cast<State*>(s)->delivered++; }",
                 "struct Order { std::vector<char> key, bytes; };",
                 "int main() {",
                 "  ringkafka::Config config; State state; std::vector<Order> orders;",
                 "  (void)config; (void)state; (void)orders;",
                 "  auto producer_made = ringkafka::Producer::create(config);",
                 "  ringkafka::Producer& producer = *producer_made.value();",
                 "  ringkafka::Topic t = producer.topic(\"t\").value(); (void)t;"]
    body = ["  {"] + body + ["  }"]
open(out_path, "w").write("\n".join(head + body + ["  return 0;", "}", ""]))
PY
# The README's "Using it" snippet: it must also link.
readme=$(dirname "$consumer")/../../README.md
python3 "$root/snippet.py" "$readme" "## Using it" "$root/readme.cpp"
# shellcheck disable=SC2086
${CXX:-c++} -std=c++20 -Wall -Wextra -Werror "$root/readme.cpp" $flags -o "$root/readme" ||
  { echo "the README snippet does not build warning-free:"; cat -n "$root/readme.cpp"; exit 1; }
echo "README snippet: builds with -Wall -Wextra -Werror"

# The first snippet of each page a user copies from (only compiled: they
# name brokers that are not there).
docs=$(dirname "$consumer")/../../docs
for page in configuration security coming-from; do
  python3 "$root/snippet.py" "$docs/$page.md" "" "$root/$page.cpp" --context
  # shellcheck disable=SC2086
  ${CXX:-c++} -std=c++20 -Wall -Wextra -Werror -Wno-unused-variable -fsyntax-only "$root/$page.cpp" $flags ||
    { echo "docs/$page.md's snippet does not build warning-free:"; cat -n "$root/$page.cpp"; exit 1; }
done
echo "docs snippets (configuration, security, coming-from): build with -Wall -Wextra -Werror"

# The README snippet compiled as C++17: the reason comes first and the
# compiler stops there, with no follow-on errors from our headers (<span>,
# concepts) or from the snippet's own code.
errors=$(${CXX:-c++} -std=c++17 -fsyntax-only "$root/readme.cpp" $(pkg-config --cflags ringkafka) 2>&1 |
  grep -E ':[0-9]+:[0-9]+: (fatal )?error' || true)
first=$(head -n 1 <<<"$errors")
if ! grep -q 'ringkafka needs C++20' <<<"$first"; then
  echo "compiled as C++17, the first error is not ours: $first"; exit 1
fi
if grep -v 'ringkafka/export\.h' <<<"$errors" | grep -q .; then
  echo "compiled as C++17, errors after ours:"; echo "$errors"; exit 1
fi
echo "-std=c++17: $(wc -l <<<"$errors") error lines, all in export.h: $first"
