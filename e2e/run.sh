#!/usr/bin/env bash
# End-to-end runs of the demo (`cargo run --example agent`) against real GenAI backends:
# Arize Phoenix (OTLP/HTTP and OTLP/gRPC), MLflow (OTLP/HTTP) and VictoriaMetrics (OTLP/HTTP
# metrics), then read back through their APIs and compared with what the demo says it produced.
# Also: the demo against a dead receiver and against one that never answers.
#
# Installs everything it needs into e2e-work/ (git-ignored): the receivers' venvs and the
# VictoriaMetrics binary stay there as a cache; the data of one run lives in a temporary
# directory that is removed at the end, with every process this script started.
#
# Usage: bash e2e/run.sh          (CI: called as the last step of .ci/run)
# Env:   E2E_DEMO=path            run this program instead of building the demo (to test the harness)
#        E2E_KEEP=1               keep the run's temporary directory (logs, reports, data)
#        E2E_HEALTH_TIMEOUT=secs  how long a receiver may take to answer its health check (180)
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
E2E="$ROOT/e2e"
WORK="$ROOT/e2e-work"
cd "$ROOT"

# ---- Pinned versions (checked to work together; change with care) ----------------------
PHOENIX_VERSION=20.26.1        # PyPI arize-phoenix; the rest of its venv: e2e/phoenix.lock
MLFLOW_VERSION=3.17.2          # PyPI mlflow; the rest of its venv: e2e/mlflow.lock
VM_DEB_VERSION=1.112.0+ds1-2   # Debian trixie victoria-metrics (bookworm's 1.79 has no OTLP)
VM_UPSTREAM=1.112.             # accepted if trixie has replaced the pinned Debian revision
UV_VERSION=0.13.8              # PyPI uv, which installs the two venvs

PHOENIX_HTTP=6006
PHOENIX_GRPC=4317
MLFLOW_PORT=5000
VM_PORT=8428
HEALTH_TIMEOUT=${E2E_HEALTH_TIMEOUT:-180}
# How long the pipeline may take to shut down against a receiver that never answers, on top
# of 3x the demo's normal time: the guard's bounded shutdown (`Setup::shutdown_timeout`, 5 s),
# plus 1 s for the process to exit on a busy machine.
SHUTDOWN_BOUND=${E2E_SHUTDOWN_BOUND:-6}
# A demo run that takes longer than this is killed and fails.
RUN_TIMEOUT=${E2E_RUN_TIMEOUT:-180}

# The demo reads the standard OTEL_* variables: start from none of the caller's.
while read -r var; do unset "$var"; done < <(compgen -e | grep '^OTEL_' || true)

# ---- Output helpers ----------------------------------------------------------------------
now() { printf '%s' "$EPOCHREALTIME"; }
since() { awk -v a="$1" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }'; }
log() { printf 'e2e: %s\n' "$*"; }
section() { printf '\n== e2e: %s\n' "$*"; }
SUMMARY=()
note() { SUMMARY+=("$1"); }
CHECKS_PASSED=0
CHECKS_FAILED=0
FAILED_CHECKS=()
fail_check() { CHECKS_FAILED=$((CHECKS_FAILED + 1)); FAILED_CHECKS+=("$1"); log "FAIL $1"; }
pass_check() { CHECKS_PASSED=$((CHECKS_PASSED + 1)); log "ok   $1"; }

# Fails the whole run now: the message, then the tail of each log named.
die() {
    local message=$1
    shift
    printf '\ne2e: FAILED: %s\n' "$message" >&2
    local f
    for f in "$@"; do
        if [[ -f $f ]]; then
            printf -- '---- last 40 lines of %s ----\n' "$f" >&2
            tail -n 40 "$f" >&2 || true
        fi
    done
    exit 1
}

mkdir -p "$WORK"
RUN_DIR=$(mktemp -d "$WORK/run.XXXXXX")
RUN_ID=$(date +%s)-$$

# ---- Cleanup: every process group this script started, then the run's data -------------
PGIDS=()
DEMO_PG=
cleanup() {
    local rc=$?
    set +e
    local pg
    [[ -n $DEMO_PG ]] && PGIDS+=("$DEMO_PG")
    for pg in "${PGIDS[@]}"; do
        kill -TERM -- "-$pg" 2>/dev/null
    done
    for pg in "${PGIDS[@]}"; do
        for _ in $(seq 50); do
            kill -0 -- "-$pg" 2>/dev/null || break
            sleep 0.1
        done
        kill -KILL -- "-$pg" 2>/dev/null
    done
    wait 2>/dev/null
    if [[ ${E2E_KEEP:-0} == 1 ]]; then
        log "kept $RUN_DIR"
    else
        rm -rf "$RUN_DIR"
    fi
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Starts "$@" in a session (so a process group) of its own, output to $1's log.
# Sets STARTED_PID to its pid, which is also its process-group id.
start_group() {
    local name=$1
    shift
    setsid "$@" >"$RUN_DIR/$name.log" 2>&1 </dev/null &
    STARTED_PID=$!
    PGIDS+=("$STARTED_PID")
}

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# ---- 1. Installs (in parallel), each timed -------------------------------------------------

# A venv is reused when its stamp names the same lock file contents and every pinned
# distribution is present at its pinned version (a fast check: no import of the package).
venv_ok() {
    local venv=$1 lock=$2
    [[ -x $venv/bin/python && -f $venv/.e2e-stamp ]] || return 1
    [[ $(cat "$venv/.e2e-stamp") == "$(sha256sum <"$lock")" ]] || return 1
    "$venv/bin/python" - "$lock" <<'EOF' || return 1
import importlib.metadata as md, sys
bad = []
for line in open(sys.argv[1]):
    line = line.strip()
    if not line or line.startswith("#"):
        continue
    name, version = line.split("==")
    try:
        if md.version(name) != version:
            bad.append(line)
    except md.PackageNotFoundError:
        bad.append(line)
sys.exit(1 if bad else 0)
EOF
}

# uv installs the receivers' pinned venvs (about 20 s each, where pip takes 70-80 s, and
# twice that when two run at once on 2 cores). uv itself comes from PyPI, pinned.
install_uv() {
    local venv="$WORK/venv-uv"
    if [[ -x $venv/bin/uv && $("$venv/bin/uv" --version 2>/dev/null) == "uv $UV_VERSION"* ]]; then
        return 0
    fi
    rm -rf "$venv"
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check --no-input "uv==$UV_VERSION"
}

install_venv() {
    local name=$1 package=$2 version=$3 lock=$4
    local venv="$WORK/venv-$name" t0
    t0=$(now)
    if venv_ok "$venv" "$lock"; then
        echo "cached (checked in $(since "$t0") s)"
        return 0
    fi
    install_uv
    rm -rf "$venv"
    python3 -m venv --without-pip "$venv"
    "$WORK/venv-uv/bin/uv" pip install --quiet --no-cache --python "$venv/bin/python" -r "$lock"
    "$venv/bin/python" -c "import importlib.metadata as m, sys; v = m.version('$package'); \
sys.exit(None if v == '$version' else '$package ' + v + ' installed, $version pinned')"
    sha256sum <"$lock" >"$venv/.e2e-stamp"
    echo "installed in $(since "$t0") s"
}

# VictoriaMetrics from Debian trixie: downloaded with a private apt configuration (its own
# sources, lists and cache under e2e-work/vm-apt, nothing of the system's changed) and
# unpacked with dpkg -x. Nothing from trixie is installed on the system.
install_vm() {
    local root="$WORK/vm-root" apt="$WORK/vm-apt"
    if [[ -x $root/usr/bin/victoria-metrics && -f $root/.e2e-stamp ]] \
        && [[ $(cat "$root/.e2e-stamp") == "victoria-metrics $VM_UPSTREAM"* ]] \
        && "$root/usr/bin/victoria-metrics" -version >/dev/null 2>&1; then
        echo "cached ($(cat "$root/.e2e-stamp"))"
        return 0
    fi
    rm -rf "$root" "$apt"
    mkdir -p "$apt/etc/sources.list.d" "$apt/lists/partial" "$apt/cache/archives/partial" "$apt/deb"
    : >"$apt/status"
    cat >"$apt/etc/sources.list.d/trixie.sources" <<'EOF'
Types: deb
URIs: http://deb.debian.org/debian
Suites: trixie
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
    local opts=(
        -o "Dir::Etc::SourceList=/dev/null"
        -o "Dir::Etc::SourceParts=$apt/etc/sources.list.d"
        -o "Dir::State::Lists=$apt/lists"
        -o "Dir::State::status=$apt/status"
        -o "Dir::Cache=$apt/cache"
        -o "APT::Architecture=amd64"
        -o "Acquire::Languages=none"
        -o "Acquire::IndexTargets::deb::DEP-11::DefaultEnabled=false"
        -o "Acquire::IndexTargets::deb::DEP-11-icons::DefaultEnabled=false"
        -o "Acquire::IndexTargets::deb::DEP-11-icons-small::DefaultEnabled=false"
        -o "Acquire::IndexTargets::deb::CNF::DefaultEnabled=false"
    )
    apt-get "${opts[@]}" -q update
    local version=$VM_DEB_VERSION
    local candidate
    candidate=$(apt-cache "${opts[@]}" show victoria-metrics 2>/dev/null \
        | awk '/^Version:/ { print $2 }' | sort -V | tail -n 1)
    if ! apt-cache "${opts[@]}" show "victoria-metrics=$VM_DEB_VERSION" >/dev/null 2>&1; then
        if [[ $candidate == "$VM_UPSTREAM"* ]]; then
            echo "note: victoria-metrics $VM_DEB_VERSION is no longer in trixie; using $candidate"
            version=$candidate
        else
            echo "victoria-metrics $VM_DEB_VERSION is not in trixie (it has: ${candidate:-none})" >&2
            return 1
        fi
    fi
    (cd "$apt/deb" && apt-get "${opts[@]}" -q download "victoria-metrics=$version" 2>&1 \
        | { grep -v 'Download is performed unsandboxed' || true; })
    dpkg -x "$apt/deb/"victoria-metrics_*.deb "$root"
    rm -rf "$apt/deb"
    "$root/usr/bin/victoria-metrics" -version >/dev/null
    echo "victoria-metrics $version" >"$root/.e2e-stamp"
    echo "installed ($version)"
}

# The demo, built once (dev profile: CI has just built it for `cargo run --example agent`).
build_demo() {
    cargo build --quiet --example agent --message-format=json-render-diagnostics >"$RUN_DIR/build.json"
    python3 - "$RUN_DIR/build.json" >"$RUN_DIR/demo-path" <<'EOF'
import json, sys
path = None
for line in open(sys.argv[1]):
    try:
        msg = json.loads(line)
    except ValueError:
        continue
    if msg.get("reason") == "compiler-artifact" and msg.get("target", {}).get("name") == "agent" \
            and msg.get("executable"):
        path = msg["executable"]
if not path:
    sys.exit("cargo did not report the agent example's executable")
print(path)
EOF
}

section "install (cache: $WORK)"
declare -A JOB_PID JOB_T0
# run_job NAME COMMAND...: runs COMMAND in the background (errexit on), output to its log;
# on success the job writes its own duration next to the log.
# With job control on (set -m), the job gets a process group of its own, which the cleanup
# can end with everything the job started (uv, apt, cargo and rustc).
run_job() {
    local name=$1
    shift
    JOB_T0[$name]=$(now)
    set -m
    (
        t0=$(now)
        "$@"
        since "$t0" >"$RUN_DIR/install-$name.time"
    ) >"$RUN_DIR/install-$name.log" 2>&1 </dev/null &
    JOB_PID[$name]=$!
    set +m
    PGIDS+=("${JOB_PID[$name]}")
}
install_venvs() {
    # One after the other: two at once on 2 cores is slower than both in a row.
    install_venv phoenix arize-phoenix "$PHOENIX_VERSION" "$E2E/phoenix.lock" >"$RUN_DIR/install-phoenix.out"
    install_venv mlflow mlflow "$MLFLOW_VERSION" "$E2E/mlflow.lock" >"$RUN_DIR/install-mlflow.out"
}
run_job venvs install_venvs
run_job victoria-metrics install_vm
if [[ -n ${E2E_DEMO:-} ]]; then
    run_job demo bash -c 'printf "%s\n" "$1" >"$2"; echo "E2E_DEMO=$1"' _ "$E2E_DEMO" "$RUN_DIR/demo-path"
else
    run_job demo build_demo
fi
for name in venvs victoria-metrics demo; do
    rc=0
    wait "${JOB_PID[$name]}" || rc=$?
    if [[ $rc != 0 ]]; then
        die "installing $name failed (exit $rc after $(since "${JOB_T0[$name]}") s)" "$RUN_DIR/install-$name.log"
    fi
    took=$(cat "$RUN_DIR/install-$name.time")
    case $name in
        venvs) what="phoenix: $(tail -n 1 "$RUN_DIR/install-phoenix.out"), mlflow: $(tail -n 1 "$RUN_DIR/install-mlflow.out")" ;;
        demo) what="built $(cat "$RUN_DIR/demo-path")" ;;
        *) what=$(tail -n 1 "$RUN_DIR/install-$name.log") ;;
    esac
    log "$(printf '%-17s %6s s  %s' "$name" "$took" "$what")"
    note "$(printf 'install %-17s %6s s  %s' "$name" "$took" "$what")"
done
DEMO=$(cat "$RUN_DIR/demo-path")
PGIDS=() # the install jobs are over

# ---- 2. Start the receivers on 127.0.0.1 and wait for their health checks ---------------------
section "start the receivers"
for port in $PHOENIX_HTTP $PHOENIX_GRPC $MLFLOW_PORT $VM_PORT; do
    if port_in_use "$port"; then
        die "127.0.0.1:$port is already in use (a receiver left over from another run?): $(ss -ltnp "sport = :$port" 2>/dev/null | tail -n +2)"
    fi
done

declare -A RX_PID RX_T0 RX_HEALTH
mkdir -p "$RUN_DIR/phoenix" "$RUN_DIR/mlflow/artifacts" "$RUN_DIR/vm"

RX_T0[phoenix]=$(now)
start_group phoenix env PHOENIX_WORKING_DIR="$RUN_DIR/phoenix" PHOENIX_TELEMETRY_ENABLED=false \
    PHOENIX_HOST=127.0.0.1 PHOENIX_PORT=$PHOENIX_HTTP PHOENIX_GRPC_PORT=$PHOENIX_GRPC \
    "$WORK/venv-phoenix/bin/phoenix" serve
RX_PID[phoenix]=$STARTED_PID
RX_HEALTH[phoenix]=http://127.0.0.1:$PHOENIX_HTTP/healthz

RX_T0[mlflow]=$(now)
# MLFLOW_MODEL_CATALOG_URI empty: MLflow prices each trace's tokens with a model catalog it
# fetches from the internet per provider, with retries; offline that stalls the first OTLP
# request of a provider for more than the demo's 5 s shutdown bound. Empty: its bundled catalog.
# No job runner (huey): it is for scorers and archival, and competes for the 2 cores.
start_group mlflow env MLFLOW_DISABLE_TELEMETRY=true MLFLOW_MODEL_CATALOG_URI= \
    MLFLOW_SERVER_ENABLE_JOB_EXECUTION=false "$WORK/venv-mlflow/bin/mlflow" server \
    --backend-store-uri "sqlite:///$RUN_DIR/mlflow/mlflow.db" \
    --default-artifact-root "$RUN_DIR/mlflow/artifacts" \
    --host 127.0.0.1 --port $MLFLOW_PORT --workers 1
RX_PID[mlflow]=$STARTED_PID
RX_HEALTH[mlflow]=http://127.0.0.1:$MLFLOW_PORT/health

RX_T0[victoria-metrics]=$(now)
start_group victoria-metrics "$WORK/vm-root/usr/bin/victoria-metrics" \
    -httpListenAddr=127.0.0.1:$VM_PORT -storageDataPath="$RUN_DIR/vm" -retentionPeriod=1d \
    -search.latencyOffset=0s
RX_PID[victoria-metrics]=$STARTED_PID
RX_HEALTH[victoria-metrics]=http://127.0.0.1:$VM_PORT/health

healthy() { curl -fsS -o /dev/null --max-time 2 "$1" 2>/dev/null; }
pending=(phoenix mlflow victoria-metrics)
deadline=$((SECONDS + HEALTH_TIMEOUT))
while ((${#pending[@]})); do
    still=()
    for name in "${pending[@]}"; do
        if ! kill -0 "${RX_PID[$name]}" 2>/dev/null; then
            die "$name exited before answering ${RX_HEALTH[$name]}" "$RUN_DIR/$name.log"
        elif healthy "${RX_HEALTH[$name]}"; then
            took=$(since "${RX_T0[$name]}")
            log "$(printf '%-17s healthy after %5s s (pid %s)' "$name" "$took" "${RX_PID[$name]}")"
            note "$(printf 'start   %-17s %6s s' "$name" "$took")"
        else
            still+=("$name")
        fi
    done
    pending=("${still[@]+"${still[@]}"}")
    if ((${#pending[@]})); then
        if ((SECONDS > deadline)); then
            logs=()
            for name in "${pending[@]}"; do logs+=("$RUN_DIR/$name.log"); done
            die "${pending[*]} did not answer the health check within $HEALTH_TIMEOUT s" "${logs[@]}"
        fi
        sleep 0.5
    fi
done
# Phoenix's gRPC port opens with its HTTP one; make sure before a run depends on it.
port_in_use $PHOENIX_GRPC || die "Phoenix is healthy but nothing listens on its gRPC port $PHOENIX_GRPC" "$RUN_DIR/phoenix.log"

# A receiver's first OTLP request can cost it a second or two of imports (2 cores): pay that
# here, not in a timed run.
for target in "mlflow http://127.0.0.1:$MLFLOW_PORT/v1/traces x-mlflow-experiment-id=0" \
    "phoenix http://127.0.0.1:$PHOENIX_HTTP/v1/traces"; do
    read -r name url header <<<"$target"
    took=$("$WORK/venv-mlflow/bin/python" "$E2E/warmup.py" "$url" ${header:+"$header"} 2>&1) \
        || die "$name did not accept a first OTLP request: $took" "$RUN_DIR/$name.log"
    log "$(printf '%-17s warm-up: %s' "$name" "$took")"
    note "$(printf 'warm-up %-17s %s' "$name" "$took")"
done

# ---- 3. Run the demo against each receiver -----------------------------------------------------
# run_demo NAME VAR=VALUE...: runs the demo with those variables, its report in NAME.json,
# stdout and stderr in NAME.out / NAME.err; sets RUN_SECONDS and RUN_RC.
declare -A RUN_TIME
run_demo() {
    local name=$1
    shift
    local t0
    t0=$(now)
    RUN_RC=0
    set -m
    timeout --kill-after=5 "$RUN_TIMEOUT" env GENAI_SPAN_DEMO_REPORT="$RUN_DIR/$name.json" "$@" "$DEMO" \
        >"$RUN_DIR/$name.out" 2>"$RUN_DIR/$name.err" </dev/null &
    DEMO_PG=$!
    set +m
    wait "$DEMO_PG" || RUN_RC=$?
    DEMO_PG=
    RUN_SECONDS=$(since "$t0")
    RUN_TIME[$name]=$RUN_SECONDS
    log "$(printf 'run %-15s %6s s  exit %s' "$name" "$RUN_SECONDS" "$RUN_RC")"
    note "$(printf 'run     %-17s %6s s  exit %s' "$name" "$RUN_SECONDS" "$RUN_RC")"
}

# A run against a healthy receiver: exits 0, writes its report, reports no export failure.
expect_clean_run() {
    local name=$1
    if [[ $RUN_RC != 0 ]]; then
        fail_check "$name: the demo exited with $RUN_RC"
        sed -n '1,40p' "$RUN_DIR/$name.err" | sed 's/^/    stderr: /'
        return 1
    fi
    pass_check "$name: the demo exited 0 in ${RUN_SECONDS} s"
    if [[ ! -s $RUN_DIR/$name.json ]]; then
        fail_check "$name: the demo wrote no report to GENAI_SPAN_DEMO_REPORT"
        return 1
    fi
    local complaints
    complaints=$(grep -E '^genai-span: ' "$RUN_DIR/$name.err" || true)
    if [[ -n $complaints ]]; then
        fail_check "$name: the demo reported problems: $complaints"
    else
        pass_check "$name: no export problem reported on stderr"
    fi
    log "     $(python3 "$E2E/check.py" report --report "$RUN_DIR/$name.json")"
}

# check.py SUBCOMMAND ARGS: each of its lines counts as one check.
run_checks() {
    local out rc=0
    out=$(python3 "$E2E/check.py" "$@" 2>&1) || rc=$?
    local line
    while IFS= read -r line; do
        case $line in
            "ok   "*) pass_check "${line#ok   }" ;;
            "FAIL "*) fail_check "${line#FAIL }" ;;
            *" check(s) failed") ;;
            *) log "     $line" ;;
        esac
    done <<<"$out"
    if [[ $rc == 2 ]]; then
        fail_check "check.py $1 could not read back what the receiver stored"
    fi
}

VM_METRICS=http://127.0.0.1:$VM_PORT/opentelemetry/v1/metrics

section "the demo with no endpoint (its normal time)"
run_demo no-endpoint
expect_clean_run no-endpoint || true

section "Phoenix over OTLP/HTTP (metrics to VictoriaMetrics)"
SVC_PHOENIX_HTTP=e2e-phoenix-http-$RUN_ID
run_demo phoenix-http \
    OTEL_EXPORTER_OTLP_ENDPOINT="http://127.0.0.1:$PHOENIX_HTTP" \
    OTEL_EXPORTER_OTLP_PROTOCOL="http/protobuf" \
    OTEL_EXPORTER_OTLP_METRICS_ENDPOINT="$VM_METRICS" \
    OTEL_SERVICE_NAME="$SVC_PHOENIX_HTTP" \
    OTEL_RESOURCE_ATTRIBUTES="openinference.project.name=$SVC_PHOENIX_HTTP"
if expect_clean_run phoenix-http; then
    run_checks phoenix --project "$SVC_PHOENIX_HTTP" --report "$RUN_DIR/phoenix-http.json"
    run_checks vm --service "$SVC_PHOENIX_HTTP" --report "$RUN_DIR/phoenix-http.json"
fi

section "Phoenix over OTLP/gRPC (metrics over HTTP to VictoriaMetrics)"
SVC_PHOENIX_GRPC=e2e-phoenix-grpc-$RUN_ID
run_demo phoenix-grpc \
    OTEL_EXPORTER_OTLP_ENDPOINT="http://127.0.0.1:$PHOENIX_GRPC" \
    OTEL_EXPORTER_OTLP_PROTOCOL="grpc" \
    OTEL_EXPORTER_OTLP_METRICS_ENDPOINT="$VM_METRICS" \
    OTEL_EXPORTER_OTLP_METRICS_PROTOCOL="http/protobuf" \
    OTEL_SERVICE_NAME="$SVC_PHOENIX_GRPC" \
    OTEL_RESOURCE_ATTRIBUTES="openinference.project.name=$SVC_PHOENIX_GRPC"
if expect_clean_run phoenix-grpc; then
    run_checks phoenix --project "$SVC_PHOENIX_GRPC" --report "$RUN_DIR/phoenix-grpc.json"
    run_checks vm --service "$SVC_PHOENIX_GRPC" --report "$RUN_DIR/phoenix-grpc.json"
fi

section "MLflow over OTLP/HTTP (metrics to VictoriaMetrics)"
SVC_MLFLOW=e2e-mlflow-http-$RUN_ID
run_demo mlflow-http \
    OTEL_EXPORTER_OTLP_TRACES_ENDPOINT="http://127.0.0.1:$MLFLOW_PORT/v1/traces" \
    OTEL_EXPORTER_OTLP_METRICS_ENDPOINT="$VM_METRICS" \
    OTEL_EXPORTER_OTLP_PROTOCOL="http/protobuf" \
    OTEL_EXPORTER_OTLP_HEADERS="x-mlflow-experiment-id=0" \
    OTEL_SERVICE_NAME="$SVC_MLFLOW"
if expect_clean_run mlflow-http; then
    run_checks mlflow --service "$SVC_MLFLOW" --report "$RUN_DIR/mlflow-http.json"
    run_checks vm --service "$SVC_MLFLOW" --report "$RUN_DIR/mlflow-http.json"
fi

section "MLflow, traces only (MLflow takes no metrics: no metrics endpoint at all)"
SVC_MLFLOW_TRACES=e2e-mlflow-traces-$RUN_ID
run_demo mlflow-traces-only \
    OTEL_EXPORTER_OTLP_TRACES_ENDPOINT="http://127.0.0.1:$MLFLOW_PORT/v1/traces" \
    OTEL_EXPORTER_OTLP_TRACES_HEADERS="x-mlflow-experiment-id=0" \
    OTEL_SERVICE_NAME="$SVC_MLFLOW_TRACES"
if expect_clean_run mlflow-traces-only; then
    run_checks mlflow --service "$SVC_MLFLOW_TRACES" --report "$RUN_DIR/mlflow-traces-only.json"
fi

# ---- 5. A receiver that is down, and one that accepts and never answers -----------------------
section "failing receivers: nothing listening, and a listener that never answers"
# A port nothing listens on: one the kernel just handed out and that was closed again.
DEAD_PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
start_group blackhole python3 "$E2E/blackhole.py" --port-file "$RUN_DIR/blackhole.port" --max-seconds 900
for _ in $(seq 100); do [[ -s $RUN_DIR/blackhole.port ]] && break; sleep 0.1; done
[[ -s $RUN_DIR/blackhole.port ]] || die "the never-answering listener did not start" "$RUN_DIR/blackhole.log"
HOLE_PORT=$(cat "$RUN_DIR/blackhole.port")
port_in_use "$DEAD_PORT" && die "port $DEAD_PORT was meant to be closed but something listens there"

# The demo's normal time: the median of its runs against healthy receivers (one slow run,
# say a receiver's hiccup, does not move it).
NORMAL=$(printf '%s\n' "${RUN_TIME[@]}" | sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }')
LIMIT=$(awk -v n="$NORMAL" -v b="$SHUTDOWN_BOUND" 'BEGIN { printf "%.1f", 3 * n + b }')
log "normal time (median of ${#RUN_TIME[@]} healthy runs): ${NORMAL} s;" \
    "a failing receiver may take up to 3 x ${NORMAL} + ${SHUTDOWN_BOUND} = ${LIMIT} s"
note "limit   failing receivers: 3 x ${NORMAL} s (normal) + ${SHUTDOWN_BOUND} s (5 s shutdown bound + 1 s) = ${LIMIT} s"

expect_failing_run() {
    local name=$1
    if [[ $RUN_RC != 0 ]]; then
        fail_check "$name: the demo exited with $RUN_RC (it must complete when export fails)"
        sed -n '1,40p' "$RUN_DIR/$name.err" | sed 's/^/    stderr: /'
        return
    fi
    if awk -v t="$RUN_SECONDS" -v l="$LIMIT" 'BEGIN { exit !(t <= l) }'; then
        pass_check "$name: the demo completed in ${RUN_SECONDS} s (limit ${LIMIT} s)"
    else
        fail_check "$name: the demo took ${RUN_SECONDS} s (limit ${LIMIT} s)"
    fi
    run_checks export-failure --name "$name" --stderr "$RUN_DIR/$name.err"
}

for proto in http/protobuf grpc; do
    short=${proto%%/*}
    for target in dead:$DEAD_PORT blackhole:$HOLE_PORT; do
        kind=${target%%:*}
        port=${target##*:}
        name=$kind-$short
        run_demo "$name" \
            OTEL_EXPORTER_OTLP_ENDPOINT="http://127.0.0.1:$port" \
            OTEL_EXPORTER_OTLP_PROTOCOL="$proto" \
            OTEL_SERVICE_NAME="e2e-$name-$RUN_ID"
        expect_failing_run "$name"
    done
done

# ---- 6. Summary ---------------------------------------------------------------------------------
section "summary"
printf '  %s\n' "${SUMMARY[@]}"
if ((CHECKS_FAILED)); then
    printf '\ne2e: failed checks:\n'
    printf '  - %s\n' "${FAILED_CHECKS[@]}"
fi
printf '\ne2e: %d passed, %d failed\n' "$CHECKS_PASSED" "$CHECKS_FAILED"
((CHECKS_FAILED == 0))
