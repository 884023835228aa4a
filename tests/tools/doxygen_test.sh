#!/usr/bin/env bash
# doxygen_test.sh SOURCE_ROOT
# The API reference builds from the public headers with no warning
# (docs/Doxyfile sets WARN_AS_ERROR), and has the pages a user looks for.
set -uo pipefail
cd "$1" || exit 1
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
command -v doxygen >/dev/null || { echo "doxygen is missing: tools/bootstrap installs it"; exit 1; }
if ! (cat docs/Doxyfile; echo "OUTPUT_DIRECTORY = $out") | doxygen - >"$out/log" 2>&1 || [[ -s $out/log ]]; then
  echo "doxygen warned or failed:"; cat "$out/log"; exit 1
fi
for page in index.html classringkafka_1_1Producer.html structringkafka_1_1ProduceOptions.html \
            classringkafka_1_1Config.html structringkafka_1_1Statistics.html; do
  [[ -f $out/html/$page ]] || { echo "no $page in the reference"; ls "$out/html" | head -40; exit 1; }
done
grep -q 'exactly one delivery report' "$out/html/classringkafka_1_1Producer.html" ||
  { echo "Producer's page lacks produce()'s contract"; exit 1; }
echo "API reference: $(ls "$out/html" | wc -l) files, no warnings"
