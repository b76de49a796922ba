#!/usr/bin/env bash
# `make fuzz`: libFuzzer over the CSV/TSV reader, the JSON Lines reader and the TOML parser,
# FUZZ_SECONDS (default 60) each. Seeds: Tests/FuzzCorpus/<target>/ (read only); inputs the
# fuzzer finds go to .build/fuzz/corpus/<target>/, failures to .build/fuzz/artifacts/.
# Usage: Fuzz/fuzz.sh [csv] [jsonl] [toml]   (default: all three)
set -uo pipefail
cd "$(dirname "$0")/.."
seconds=${FUZZ_SECONDS:-60}
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(csv jsonl toml)
for target in "${targets[@]}"; do
  case $target in csv|jsonl|toml) ;; *) echo "usage: Fuzz/fuzz.sh [csv] [jsonl] [toml]" >&2; exit 2 ;; esac
done
out=.build/fuzz
bin=$out/driftscope-fuzz
mkdir -p "$out/artifacts"

# One executable: the engine module's sources compiled as one module with the fuzz targets
# (its two C shims, CPrefetch and CPageMapping, found through their module maps),
# address sanitizer on (the readers scan raw buffers through unsafe pointers).
# Rebuilt only when a Swift source is newer than the executable (a build takes minutes;
# after changing the flags below, delete the executable).
mapfile -t sources < <(find Sources/InterestGraph -name '*.swift' | sort)
sources+=(Tests/InterestGraphTests/FuzzTargets.swift Fuzz/FuzzMain.swift)
if [ ! -x "$bin" ] || [ -n "$(find "${sources[@]}" -newer "$bin" | head -1)" ]; then
  echo "fuzz: building $bin"
  # gold warns once per ASan symbol it cannot export ("Cannot export local symbol"): harmless.
  swiftc -sanitize=fuzzer,address -parse-as-library -O -wmo -num-threads 2 \
    -swift-version 6 -module-name InterestGraph -package-name Driftscope \
    -enable-upcoming-feature ExistentialAny -enable-upcoming-feature InternalImportsByDefault \
    -I Sources/CPrefetch/include -I Sources/CPageMapping/include \
    -D DRIFTSCOPE_FUZZ "${sources[@]}" -o "$bin" 2> >(grep -v 'Cannot export local symbol' >&2) || exit 1
fi

failed=()
for target in "${targets[@]}"; do
  mkdir -p "$out/corpus/$target"
  echo "fuzz: $target for ${seconds}s"
  # -timeout: an input that takes 10 s is a hang; -rss_limit_mb: one that needs 2 GB a leak.
  # No Swift backtracer: it reads memory ASan watches; libFuzzer reports the crash itself.
  DRIFTSCOPE_FUZZ_TARGET=$target ASAN_OPTIONS=detect_leaks=0 SWIFT_BACKTRACE=enable=no "$bin" \
    -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=4096 \
    -dict="Fuzz/$target.dict" -artifact_prefix="$out/artifacts/$target-" -print_final_stats=1 \
    "$out/corpus/$target" "Tests/FuzzCorpus/$target" 2>&1 | tee "$out/$target.log" | grep -E '^(#[0-9]+.*(DONE|pulse)|==[0-9]+==|SUMMARY|Fatal error|.*invariant broken|stat::number_of_executed_units|artifact_prefix|Test unit written)' 
  status=${PIPESTATUS[0]}
  [ "$status" -eq 0 ] || failed+=("$target (exit $status, log $out/$target.log)")
done
rm -rf /dev/shm/driftscope-fuzz-* 2>/dev/null
if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzz: FAILED: ${failed[*]}; inputs in $out/artifacts/"
  exit 1
fi
echo "fuzz: no crash, hang or broken invariant in ${targets[*]} (${seconds}s each)"
