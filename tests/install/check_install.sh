#!/usr/bin/env bash
# check_install.sh BUILD_DIR CONSUMER.cpp
# Installs the build into a scratch root, then compiles and runs CONSUMER.cpp
# using nothing but the installed headers, library and pkg-config file.
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

export PKG_CONFIG_PATH=$(dirname "$pc") PKG_CONFIG_SYSROOT_DIR=$root
flags=$(pkg-config --cflags --libs ringkafka)
echo "pkg-config: $flags"
# shellcheck disable=SC2086
${CXX:-c++} -std=c++20 -Wall -Werror "$consumer" $flags -o "$root/consumer"
out=$(LD_LIBRARY_PATH=$(dirname "$so") "$root/consumer")
echo "$out"
[[ $out == "ringkafka "* ]]
