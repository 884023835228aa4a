# Sourced by tools/kafka-local: the commands that ask a running cluster
# what it holds, through Kafka's own tools and clients (producers,
# transaction, group-offsets, consume, group-member; their usage is
# kafka-local's).  They use kafka-local's $dir, $libs, run_tool, java_bin,
# running_bootstrap, fetch_jars, absolute, die.
# shellcheck shell=bash

cmd_producers() {
  local topic="" partition=""
  while (($#)); do
    case $1 in
      --dir) dir=$(absolute "${2:?--dir needs a value}"); shift 2 ;;
      -*) die "producers: unknown option $1" ;;
      *) if [[ -z $topic ]]; then topic=$1; else partition=$1; fi; shift ;;
    esac
  done
  [[ -n $topic && $partition =~ ^[0-9]+$ ]] || die "producers: TOPIC and PARTITION are required"
  local bootstrap out
  bootstrap=$(running_bootstrap) || die "producers: no cluster running in $dir"
  fetch_jars
  out=$(run_tool org.apache.kafka.tools.TransactionsCommand --bootstrap-server "$bootstrap" \
          describe-producers --topic "$topic" --partition "$partition") ||
    die "producers: describing $topic-$partition failed (see the tool's message above)"
  # Columns: ProducerId ProducerEpoch LatestCoordinatorEpoch LastSequence ...
  awk 'NR > 1 && NF >= 4 { print $1, $2, $4 }' <<<"$out"
}

cmd_transaction() {
  local id=""
  while (($#)); do
    case $1 in
      --dir) dir=$(absolute "${2:?--dir needs a value}"); shift 2 ;;
      -*) die "transaction: unknown option $1" ;;
      *) id=$1; shift ;;
    esac
  done
  [[ -n $id ]] || die "transaction: TRANSACTIONAL-ID is required"
  local bootstrap out
  bootstrap=$(running_bootstrap) || die "transaction: no cluster running in $dir"
  fetch_jars
  out=$(run_tool org.apache.kafka.tools.TransactionsCommand --bootstrap-server "$bootstrap" \
          describe --transactional-id "$id") ||
    die "transaction: describing $id failed (see the tool's message above)"
  # Columns: CoordinatorId TransactionalId ProducerId ProducerEpoch
  # TransactionState TransactionTimeoutMs ...
  awk 'NR > 1 && NF >= 6 { print $5, $3, $4, $1, $6 }' <<<"$out"
}

cmd_group_offsets() {
  local group=""
  while (($#)); do
    case $1 in
      --dir) dir=$(absolute "${2:?--dir needs a value}"); shift 2 ;;
      -*) die "group-offsets: unknown option $1" ;;
      *) group=$1; shift ;;
    esac
  done
  [[ -n $group ]] || die "group-offsets: GROUP is required"
  local bootstrap out
  bootstrap=$(running_bootstrap) || die "group-offsets: no cluster running in $dir"
  fetch_jars
  out=$(run_tool org.apache.kafka.tools.consumer.group.ConsumerGroupCommand \
          --bootstrap-server "$bootstrap" --describe --offsets --group "$group" 2>&1) ||
    die "group-offsets: describing $group failed: $out"
  # Columns: GROUP TOPIC PARTITION CURRENT-OFFSET LOG-END-OFFSET LAG ...
  awk -v g="$group" '$1 == g && $4 ~ /^[0-9]+$/ { print $2, $3, $4 }' <<<"$out"
}

cmd_consume() {
  local topic="" isolation=read_uncommitted max="" timeout_ms=10000
  while (($#)); do
    case $1 in
      --dir) dir=$(absolute "${2:?--dir needs a value}"); shift 2 ;;
      --isolation) isolation=${2:?--isolation needs a value}; shift 2 ;;
      --max) max=${2:?--max needs a value}; shift 2 ;;
      --timeout-ms) timeout_ms=${2:?--timeout-ms needs a value}; shift 2 ;;
      -*) die "consume: unknown option $1" ;;
      *) topic=$1; shift ;;
    esac
  done
  [[ -n $topic ]] || die "consume: TOPIC is required"
  [[ $isolation == read_committed || $isolation == read_uncommitted ]] ||
    die "consume: --isolation is read_committed or read_uncommitted, not '$isolation'"
  local bootstrap out err property=--formatter-property
  bootstrap=$(running_bootstrap) || die "consume: no cluster running in $dir"
  fetch_jars
  # 3.x knows only --property (4.x deprecates it).
  [[ ${kafka_version%%.*} -ge 4 ]] || property=--property
  local args=(--bootstrap-server "$bootstrap" --topic "$topic" --from-beginning
              --isolation-level "$isolation" --timeout-ms "$timeout_ms"
              --consumer-property auto.offset.reset=earliest
              "$property" print.partition=true "$property" print.offset=true
              "$property" print.key=true)
  [[ -z $max ]] || args+=(--max-messages "$max")
  err=$(mktemp)
  # Reaching --timeout-ms ends the tool with an error status and a
  # TimeoutException: that is the end of the topic here.  Its own summary
  # ("Processed a total of N messages") says whether it ran at all.
  out=$(run_tool org.apache.kafka.tools.consumer.ConsoleConsumer "${args[@]}" 2>"$err") || true
  if ! grep -q 'Processed a total of' "$err"; then
    cat "$err" >&2; rm -f "$err"
    die "consume: reading $topic failed (the tool's message is above)"
  fi
  rm -f "$err"
  awk -F '\t' '$1 ~ /^Partition:/ { sub(/^Partition:/, "", $1); sub(/^Offset:/, "", $2);
                                     print $1 "\t" $2 "\t" $3 "\t" $4 }' <<<"$out"
}

cmd_group_member() {
  local group="" topic="" out=""
  while (($#)); do
    case $1 in
      --dir) dir=$(absolute "${2:?--dir needs a value}"); shift 2 ;;
      --out) out=${2:?--out needs a value}; shift 2 ;;
      -*) die "group-member: unknown option $1" ;;
      *) if [[ -z $group ]]; then group=$1; else topic=$1; fi; shift ;;
    esac
  done
  [[ -n $group && -n $topic && -n $out ]] || die "group-member: GROUP, TOPIC and --out FILE are required"
  local bootstrap
  bootstrap=$(running_bootstrap) || die "group-member: no cluster running in $dir"
  fetch_jars
  exec "$(java_bin)" -Xmx256m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 \
    -Dlog4j2.configurationFile="$here/kafka/log4j2-tools.properties" \
    -cp "$libs/*" "$here/kafka/GroupMember.java" "$bootstrap" "$group" "$topic" "$out"
}
