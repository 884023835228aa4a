#!/usr/bin/env bash
# check_embedding.sh BUILD_DIR SOURCE_ROOT
# The three routes of examples/embed/, as a user takes them: `meson install`
# into a scratch root, then examples/embed/publish.cpp built
#   - with CMake's find_package(ringkafka): shared, and RINGKAFKA_STATIC=ON;
#   - with pkg-config: ringkafka (shared) and ringkafka-static;
#   - with ringkafka's source as a Meson subproject (static, then shared;
#     the parent's default debug build, the library still at -O2), which
#     must build no test, benchmark or tool and install nothing;
# each binary run against the real broker and its records counted by kcat.
# The broker: $RINGKAFKA_BOOTSTRAP, else `tools/kafka-local status`; none
# reachable: skip (77), or fail when CI is set.
set -uo pipefail
build=$(cd "$1" && pwd) src=$(cd "$2" && pwd)
kafka_local=${RINGKAFKA_KAFKA_LOCAL:-$src/tools/kafka-local}
# shellcheck source=../tools/require_broker.sh
source "$(dirname "${BASH_SOURCE[0]}")/../tools/require_broker.sh"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
passed=0 failed=0
pass() { passed=$((passed + 1)); echo "ok: $1"; }
fail() { failed=$((failed + 1)); echo "FAIL: $1"; [[ -f ${2:-} ]] && tail -n 30 "$2"; }

root=$work/root
meson install -C "$build" --destdir "$root" --no-rebuild --quiet >"$work/install.log" 2>&1 ||
  { cat "$work/install.log"; exit 1; }
prefix=$root$(meson introspect "$build" --buildoptions |
  python3 -c 'import json,sys; print(next(o["value"] for o in json.load(sys.stdin) if o["name"]=="prefix"))')
pcdir=$(dirname "$(find "$root" -name ringkafka.pc | head -n 1)")
libdir=$(dirname "$pcdir")
[[ -f $pcdir/ringkafka-static.pc ]] || { echo "no ringkafka-static.pc installed"; exit 1; }
[[ -f $libdir/cmake/ringkafka/ringkafkaConfig.cmake ]] || { echo "no CMake package installed"; exit 1; }
if grep -E '^(Libs|Libs.private|Requires.private):' "$pcdir"/*.pc | grep -qE '/[^[:space:]]*\.(so|a)|nlohmann'; then
  echo "a pkg-config file names an absolute path or a header-only library:"; grep -E '^(Libs|Req)' "$pcdir"/*.pc
  exit 1
fi

publish() {  # publish NAME BINARY [shared|static]: runs it against a new topic, counts with kcat
  local name=$1 bin=$2 kind=$3 topic=embed-$1-$$-$(date +%s%N) count=50
  if [[ $kind == static ]] && readelf -d "$bin" | grep NEEDED | grep -q ringkafka; then
    fail "$name: needs libringkafka.so"; return
  fi
  if [[ $kind == shared ]] && ! readelf -d "$bin" | grep NEEDED | grep -q 'libringkafka\.so'; then
    fail "$name: does not link libringkafka.so"; return
  fi
  "$kafka_local" create-topic "$topic" --partitions 2 --bootstrap "$bootstrap" >"$work/create" 2>&1 ||
    { fail "$name: create-topic" "$work/create"; return; }
  # The installed libraries, except for a subproject's own (its rpath).
  if ! LD_LIBRARY_PATH=${run_libdir-$libdir} timeout 60 "$bin" "$bootstrap" "$topic" "$count" \
      >"$work/run" 2>&1; then
    fail "$name: publish" "$work/run"; return
  fi
  local read
  read=$(timeout 60 kcat -C -b "$bootstrap" -t "$topic" -e -q -f '%k\n' | sort -u | wc -l)
  if [[ $read -eq $count ]]; then pass "$name: $(cat "$work/run"); kcat read $read"; else
    fail "$name: kcat read $read of $count" "$work/run"; fi
}

# CMake, both kinds.
for kind in shared static; do
  flag=OFF; [[ $kind == static ]] && flag=ON
  dir=$work/cmake-$kind
  if cmake -S "$src/examples/embed/cmake" -B "$dir" -DCMAKE_PREFIX_PATH="$prefix" \
       -DRINGKAFKA_STATIC=$flag >"$work/cmake.log" 2>&1 &&
     cmake --build "$dir" >>"$work/cmake.log" 2>&1; then
    publish "cmake-$kind" "$dir/publish" "$kind"
  else
    fail "cmake-$kind: configure or build" "$work/cmake.log"
  fi
done

# pkg-config, both files.
export PKG_CONFIG_PATH=$pcdir PKG_CONFIG_SYSROOT_DIR=$root
mkdir -p "$work/pc/pkg-config" && cp "$src/examples/embed/publish.cpp" "$work/pc/" &&
  cp "$src/examples/embed/pkg-config/Makefile" "$work/pc/pkg-config/"
for target in publish publish-static; do
  kind=shared; [[ $target == publish-static ]] && kind=static
  if make -s -C "$work/pc/pkg-config" "$target" >"$work/make.log" 2>&1; then
    publish "pkg-config-$kind" "$work/pc/pkg-config/$target" "$kind"
  else
    fail "pkg-config-$kind: build" "$work/make.log"
  fi
done
unset PKG_CONFIG_PATH PKG_CONFIG_SYSROOT_DIR

# A Meson subproject: the example's project with this tree linked in.
parent=$work/sub
mkdir -p "$parent/meson-subproject/subprojects" && cp "$src/examples/embed/publish.cpp" "$parent/" &&
  cp "$src/examples/embed/meson-subproject/meson.build" "$parent/meson-subproject/" &&
  ln -s "$src" "$parent/meson-subproject/subprojects/ringkafka"
sub=$parent/meson-subproject
if meson setup "$sub/build" "$sub" >"$work/meson.log" 2>&1 &&
   meson compile -C "$sub/build" >>"$work/meson.log" 2>&1; then
  built=$(meson introspect "$sub/build" --targets | python3 -c '
import json, sys
print(" ".join(sorted(t["name"] for t in json.load(sys.stdin))))')
  # An allow-list: the parent's program and ringkafka's libraries (the one
  # a user links and its stages), nothing else (no test, tool, example,
  # fuzz target or test broker).
  extra=$(tr ' ' '\n' <<<"$built" | grep -vxE 'publish|ringkafka|ringkafka_[a-z]+' || true)
  if [[ -n $extra ]]; then
    fail "meson-subproject: builds more than the library: $(echo $extra)"
  elif meson introspect "$sub/build" --installed | grep -q ringkafka; then
    fail "meson-subproject: installs ringkafka with the parent"
  else
    pass "meson-subproject: builds only $built, installs nothing of ringkafka"
    # The parent builds debug (Meson's default): its own file at -O0, the
    # library at -O2, the last -O on each command line being the one used.
    levels=$(python3 -c '
import json, re, sys
seen = {}
for c in json.load(open(sys.argv[1])):
    last = re.findall(r"(?:^|\s)(-O\S*)", c["command"])[-1]
    kind = "library" if "/subprojects/ringkafka/src/" in c["file"] else "parent"
    seen.setdefault(kind, set()).add(last)
print(" ".join(k + "=" + ",".join(sorted(v)) for k, v in sorted(seen.items())))' \
      "$sub/build/compile_commands.json")
    if [[ $levels == "library=-O2 parent=-O0" ]]; then pass "meson-subproject: debug parent, $levels"
    else fail "meson-subproject: debug parent, want library=-O2 parent=-O0, got: $levels"; fi
    run_libdir= publish "meson-subproject-static" "$sub/build/publish" static
    # The parent may take the shared library instead.
    if meson configure "$sub/build" -Dringkafka:default_library=shared >>"$work/meson.log" 2>&1 &&
       meson compile -C "$sub/build" >>"$work/meson.log" 2>&1; then
      run_libdir= publish "meson-subproject-shared" "$sub/build/publish" shared
    else
      fail "meson-subproject: default_library=shared" "$work/meson.log"
    fi
  fi
else
  fail "meson-subproject: configure or build" "$work/meson.log"
fi

echo "$passed passed, $failed failed"
((failed == 0))
