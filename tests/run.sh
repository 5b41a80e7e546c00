#!/usr/bin/env bash
# The one test command: installs missing packages, builds, starts a throwaway PostgreSQL (unless
# DATABASE_URL is already set), and runs every test. Extra arguments go to ctest, e.g.
#   tests/run.sh -L unit            # only unit tests
#   tests/run.sh -R outbound        # tests whose name matches
# Environment: KS_BUILD_TYPE (default Asan = Debug + ASan/UBSan), KS_BUILD_DIR, KS_TEST_JOBS.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

"$root/deploy/install-deps.sh"

build_type=${KS_BUILD_TYPE:-Asan}
build_dir=${KS_BUILD_DIR:-$root/build/${build_type,,}}
cmake -S "$root" -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE="$build_type" >/dev/null
cmake --build "$build_dir" --parallel "$(nproc)"

if [[ -z "${DATABASE_URL:-}" ]]; then
  # shellcheck source=../deploy/lib/throwaway-postgres.sh
  source "$root/deploy/lib/throwaway-postgres.sh"
  trap ks_pg_stop EXIT
  ks_pg_start
  echo "tests: throwaway PostgreSQL at $KS_PG_DIR"
fi

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$root/tests/lsan.supp:print_suppressions=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
jobs=${KS_TEST_JOBS:-$(( $(nproc) * 2 ))}
# A per-test bound: a test that crashes can leave a child holding its output open.
ctest --test-dir "$build_dir" --output-on-failure --timeout 900 --parallel "$jobs" "$@"
