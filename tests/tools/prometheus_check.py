#!/usr/bin/python3
"""prometheus_check.py FILE: FILE parses as Prometheus text exposition with
Prometheus's own parser (python3-prometheus-client), every family has
samples of its declared type, and no family is declared twice."""
import sys

from prometheus_client.parser import text_string_to_metric_families

text = open(sys.argv[1], encoding="utf-8").read()
names = [line.split()[2] for line in text.splitlines() if line.startswith("# TYPE ")]
if len(names) != len(set(names)):
    sys.exit("a family is declared twice")
families = list(text_string_to_metric_families(text))
if not families:
    sys.exit("no metric families")
for f in families:
    for s in f.samples:
        # NaN only as an empty window's quantile.
        if s.value != s.value and "quantile" not in s.labels:
            sys.exit(f"{s.name}: NaN")
print(f"ok: {len(families)} families, {sum(len(f.samples) for f in families)} samples")
