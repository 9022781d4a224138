#!/usr/bin/env bash
# The portal read benchmark (design.md, "What fast means here"): wrk against
# GET /api/v1/tickets/{id} of the real `ledgerdesk serve` (a populated store, a real session token)
# and, in the same run with the same wrk settings, against nginx on loopback serving a static file
# of the very bytes the API answered. Prints both req/s, p50/p99 and the ratio.
# Goal: >= 60 % of nginx's req/s and p99 < 10 ms at 64 connections.
#
# After a second of each to warm up (not counted), the two take turns in rounds (serve, nginx,
# nginx, serve, ...) so that whatever else runs on the machine weighs on both alike: req/s is all
# requests over all the time of a side, p50 the median of its rounds' p50, p99 the worst of its
# rounds' p99.
#
# Needs wrk, nginx, curl and jq (tools/install-deps.sh). Everything lives in a temp dir that is
# removed afterwards; nothing needs root.
set -euo pipefail

usage() {
  cat <<'EOF'
usage: tools/bench-api.sh [--ledgerdesk PATH] [--duration 10s] [--rounds 5] [--connections 64]
                          [--threads 2] [--messages 24] [--serve-threads N]
  --ledgerdesk PATH   the program to measure (default ./build/tools/ledgerdesk)
  --duration Ns       how long wrk runs against each side in all (default 10s)
  --rounds N          in how many turns (default 5; each at least 1 s)
  --connections N     concurrent keep-alive connections (wrk's -c; default 64)
  --threads N         wrk threads (wrk's -t; default 2)
  --messages N        messages in the ticket's dialog (default 24, customer and engineer taking turns)
  --serve-threads N   passed to serve as --threads (default: serve's own)
Exit status: 0 when both runs answered only 2xx, 1 otherwise (the goals are reported, not enforced).
EOF
}

ledgerdesk=./build/tools/ledgerdesk
duration=10s
rounds=5
connections=64
threads=2
messages=24
serve_threads=""
while [ $# -gt 0 ]; do
  case "$1" in
    --ledgerdesk) ledgerdesk="$2"; shift 2 ;;
    --duration) duration="$2"; shift 2 ;;
    --rounds) rounds="$2"; shift 2 ;;
    --connections) connections="$2"; shift 2 ;;
    --threads) threads="$2"; shift 2 ;;
    --messages) messages="$2"; shift 2 ;;
    --serve-threads) serve_threads="$2"; shift 2 ;;
    -h | --help) usage; exit 0 ;;
    *) echo "bench-api: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
done
for tool in wrk nginx curl jq base64; do
  command -v "$tool" >/dev/null ||
    { echo "bench-api: $tool is not installed (tools/install-deps.sh installs it)" >&2; exit 1; }
done
[ -x "$ledgerdesk" ] || { echo "bench-api: $ledgerdesk is not a program (--ledgerdesk)" >&2; exit 1; }
[[ "$messages" =~ ^[0-9]+$ ]] || { echo "bench-api: --messages takes a whole number" >&2; exit 2; }
[[ "$duration" =~ ^([0-9]+)s?$ ]] || { echo "bench-api: --duration takes seconds, e.g. 10s" >&2; exit 2; }
seconds=${BASH_REMATCH[1]}
[[ "$rounds" =~ ^[1-9][0-9]*$ ]] || { echo "bench-api: --rounds takes a whole number" >&2; exit 2; }
[ "$rounds" -le "$seconds" ] || rounds=$seconds
[ "$rounds" -ge 1 ] || { echo "bench-api: --duration must be at least 1s" >&2; exit 2; }
slice=$((seconds / rounds))

work=$(mktemp -d "${TMPDIR:-/tmp}/ledgerdesk-bench-api.XXXXXX")
serve_pid=""
nginx_pid=""
cleanup() {
  for pid in "$serve_pid" "$nginx_pid"; do
    [ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
  done
  rm -rf "$work"
}
trap cleanup EXIT
fail() {
  echo "bench-api: $*" >&2
  exit 1
}

data="$work/data"
"$ledgerdesk" contracts add --data-dir "$data" --nip 5260250274 --number K123456 --package SOS \
  --window 8x5 --replacement NBD --starts 2026-01-01 --ends 2030-12-31 --item FG100 >/dev/null ||
  fail "contracts add failed"
staff=$("$ledgerdesk" staff add --data-dir "$data" --email engineer@ledgerdesk.example \
  --name "Ewa Inżynier" --role engineer) || fail "staff add failed"
engineer_token=$(tail -n 1 <<<"$staff")

serve_args=(serve --data-dir "$data" --listen 127.0.0.1:0)
[ -n "$serve_threads" ] && serve_args+=(--threads "$serve_threads")
"$ledgerdesk" "${serve_args[@]}" >"$work/serve.out" 2>"$work/serve.err" &
serve_pid=$!
api_port=""
for _ in $(seq 300); do
  api_port=$(grep -oE 'listening on http://127\.0\.0\.1:[0-9]+' "$work/serve.out" | grep -oE '[0-9]+$' ||
    true)
  [ -n "$api_port" ] && break
  kill -0 "$serve_pid" 2>/dev/null || fail "serve stopped: $(cat "$work/serve.err")"
  sleep 0.1
done
[ -n "$api_port" ] || fail "serve did not start listening"
api="http://127.0.0.1:$api_port"

# call METHOD PATH [BODY] [TOKEN]: prints the answer's body; fails on a status other than 2xx.
call() {
  local args=(-sS -o "$work/answer" -w '%{http_code}' -X "$1" "$api$2")
  [ -n "${3:-}" ] && args+=(-H 'Content-Type: application/json' --data-binary "$3")
  [ -n "${4:-}" ] && args+=(-H "Authorization: Bearer $4")
  local status
  status=$(curl "${args[@]}") || fail "$1 $2: no answer"
  [[ "$status" == 2* ]] || fail "$1 $2 answered $status: $(cat "$work/answer")"
  cat "$work/answer"
}

# The customer: registers, confirms with the mailed token, logs in, verifies with contract + serial.
call POST /api/v1/registrations '{"email":"alicja@example.pl","password":"correct horse battery",
  "name":"Alicja Kowalska","phone":"600100200","nip":"5260250274"}' >/dev/null
confirmation=""
for _ in $(seq 300); do
  for eml in "$data"/mail/*.eml; do
    [ -f "$eml" ] || continue
    grep -q '^To: alicja@example.pl' "$eml" || continue
    confirmation=$(tr -d '\r' <"$eml" | sed '1,/^$/d' | base64 -d 2>/dev/null | grep -oE '[A-Za-z0-9_-]{43}' |
      head -n 1 || true)
  done
  [ -n "$confirmation" ] && break
  sleep 0.1
done
[ -n "$confirmation" ] || fail "no confirmation mail arrived in $data/mail"
call POST /api/v1/registrations/confirm "{\"token\":\"$confirmation\"}" >/dev/null
customer=$(call POST /api/v1/sessions \
  '{"email":"alicja@example.pl","password":"correct horse battery"}' | jq -r .token)
call POST /api/v1/account/verification '{"contract_number":"K123456","serial":"FG100"}' \
  "$customer" >/dev/null

# The engineer sets a password with the operator's token and logs in.
call POST /api/v1/password-resets/confirm \
  "{\"token\":\"$engineer_token\",\"new_password\":\"engineer horse battery\"}" >/dev/null
engineer=$(call POST /api/v1/sessions \
  '{"email":"engineer@ledgerdesk.example","password":"engineer horse battery"}' | jq -r .token)

# A ticket with a dialog of realistic size: messages of a few hundred characters, taking turns.
description="Od wtorku FortiGate 100F restartuje się około 02:00. W logach widać tylko utratę \
zasilania, UPS nie zgłasza zdarzeń."
ticket=$(call POST /api/v1/tickets "$(jq -n --arg d "$description" '{contract_number:"K123456",
  serial:"FG100", title:"Zapora restartuje się co noc", description:$d, cc:["it@example.pl"],
  priority:"urgent"}')" "$customer" | jq -r .ticket_id)
position=0
for i in $(seq "$messages"); do
  if ((i % 2)); then
    who=$customer
    text="Dziękuję. Sprawdziłam zgodnie z instrukcją: wersja firmware 7.2.$i, dziennik zdarzeń pokazuje \
restart o 02:0$((i % 10)), temperatura w normie, zasilacz redundantny podłączony do dwóch obwodów. \
Załączam wynik polecenia diagnose sys top z godziny przed restartem. Czy mamy zaplanować okno serwisowe?"
  else
    who=$engineer
    text="Dzień dobry, dziękuję za informacje. Wynik diagnostyki wskazuje na proces wad o wysokim \
zużyciu pamięci tuż przed restartem (krok $i analizy). Proszę o wykonanie polecenia diagnose debug \
crashlog read oraz przesłanie pliku konfiguracji bez haseł. Jeśli potwierdzi się wyciek pamięci, \
zaproponujemy aktualizację do wersji 7.2.8 w uzgodnionym oknie serwisowym."
  fi
  position=$(call POST "/api/v1/tickets/$ticket/messages" "$(jq -n --arg b "$text" '{body:$b}')" \
    "$who" | jq -r .position)
done
path="/api/v1/tickets/$ticket"
curl -sS -f -o "$work/ticket.json" -H "Authorization: Bearer $customer" \
  "$api$path?min_position=$position" || fail "GET $path did not answer 200"
[ "$(jq '.messages | length' "$work/ticket.json")" -eq "$messages" ] ||
  fail "the ticket does not show its $messages messages"
# The benchmarked URL without ?min_position: the answer must be the same bytes.
curl -sS -f -o "$work/ticket-plain.json" -H "Authorization: Bearer $customer" "$api$path" ||
  fail "GET $path did not answer 200"
cmp -s "$work/ticket.json" "$work/ticket-plain.json" || fail "GET $path answers differently"
bytes=$(stat -c %s "$work/ticket.json")

# nginx on loopback, its own config and temp paths in the work dir, serving the same bytes (its
# workers run as the calling user: under root they would otherwise be `nobody` and not see them).
mkdir -p "$work/nginx/root/api/v1/tickets"
cp "$work/ticket.json" "$work/nginx/root$path"
nginx_port=""
for _ in $(seq 20); do
  port=$((20000 + RANDOM % 40000))
  cat >"$work/nginx/nginx.conf" <<EOF
user $(id -un) $(id -gn);
worker_processes auto;
pid $work/nginx/nginx.pid;
error_log $work/nginx/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path $work/nginx/body;
  proxy_temp_path $work/nginx/proxy;
  fastcgi_temp_path $work/nginx/fastcgi;
  uwsgi_temp_path $work/nginx/uwsgi;
  scgi_temp_path $work/nginx/scgi;
  keepalive_requests 1000000;
  default_type application/json;
  server {
    listen 127.0.0.1:$port;
    root $work/nginx/root;
  }
}
EOF
  nginx -p "$work/nginx" -e "$work/nginx/error.log" -c "$work/nginx/nginx.conf" \
    -g 'daemon off;' 2>>"$work/nginx/start.err" &
  nginx_pid=$!
  for _ in $(seq 100); do  # a loaded machine can take seconds
    curl -s -o /dev/null "http://127.0.0.1:$port$path" && nginx_port=$port && break
    kill -0 "$nginx_pid" 2>/dev/null || break
    sleep 0.1
  done
  [ -n "$nginx_port" ] && break
  kill "$nginx_pid" 2>/dev/null || true
  wait "$nginx_pid" 2>/dev/null || true
  nginx_pid=""
done
[ -n "$nginx_port" ] || fail "nginx did not start: $(tail -n 3 "$work/nginx/error.log" 2>/dev/null)"
curl -sS -f "http://127.0.0.1:$nginx_port$path" | cmp -s - "$work/ticket.json" ||
  fail "nginx does not serve the same bytes"

# run NAME URL ROUND: wrk with the session header for one slice; appends
# "requests seconds p50_ms p99_ms" to $work/NAME.rounds.
run() {
  local out="$work/wrk-$1-$3.txt"
  wrk -t "$threads" -c "$connections" -d "${slice}s" --latency \
    -H "Authorization: Bearer $customer" "$2" >"$out" 2>&1 || fail "wrk against $1 failed: $(cat "$out")"
  if grep -qE 'Non-2xx|Socket errors' "$out"; then
    fail "wrk against $1 saw errors: $(grep -E 'Non-2xx|Socket errors' "$out")"
  fi
  local requests took p50 p99
  requests=$(awk '/ requests in / {print $1}' "$out")
  took=$(awk '/ requests in / {sub(/s,$/, "", $4); print $4}' "$out")
  p50=$(awk '$1 == "50%" {print $2}' "$out")
  p99=$(awk '$1 == "99%" {print $2}' "$out")
  [ -n "$requests" ] && [ -n "$took" ] && [ -n "$p99" ] || fail "cannot read wrk's output: $(cat "$out")"
  echo "$requests $took $(to_ms "$p50") $(to_ms "$p99")" >>"$work/$1.rounds"
}
# wrk prints latencies as 812.00us, 1.21ms or 1.02s.
to_ms() {
  awk -v v="$1" 'BEGIN {
    n = v + 0
    if (v ~ /us$/) n /= 1000; else if (v ~ /ms$/) n += 0; else if (v ~ /m$/) n *= 60000; else if (v ~ /s$/) n *= 1000
    printf "%.2f", n }'
}
# summary NAME: "req/s p50_ms p99_ms" over its rounds.
summary() {
  sort -n -k3 "$work/$1.rounds" | awk '{ requests += $1; took += $2; p50[NR] = $3; if ($4 > p99) p99 = $4 }
    END { printf "%.0f %.2f %.2f", requests / took, p50[int((NR + 1) / 2)], p99 }'
}

echo "GET $path: $bytes bytes, $messages messages; wrk -t$threads -c$connections, $rounds rounds of ${slice}s a side"
# A second of each first, not counted: connections, caches and threads warm.
for url in "$api$path" "http://127.0.0.1:$nginx_port$path"; do
  wrk -t "$threads" -c "$connections" -d 1s -H "Authorization: Bearer $customer" "$url" >/dev/null 2>&1 ||
    fail "wrk could not warm up against $url"
done
for round in $(seq "$rounds"); do
  if ((round % 2)); then
    run api "$api$path" "$round"
    run nginx "http://127.0.0.1:$nginx_port$path" "$round"
  else
    run nginx "http://127.0.0.1:$nginx_port$path" "$round"
    run api "$api$path" "$round"
  fi
  awk -v r="$round" 'NR == FNR { a = $1 / $2; a99 = $4; next } { n = $1 / $2; n99 = $4 }
    END { printf "  round %d: serve %.0f req/s p99 %.2f ms, nginx %.0f req/s p99 %.2f ms (%.2f)\n",
      r, a, a99, n, n99, a / n }' \
    <(tail -n 1 "$work/api.rounds") <(tail -n 1 "$work/nginx.rounds")
done
read -r api_rps api_p50 api_p99 <<<"$(summary api)"
read -r nginx_rps nginx_p50 nginx_p99 <<<"$(summary nginx)"
awk -v a="$api_rps" -v a50="$api_p50" -v a99="$api_p99" -v n="$nginx_rps" -v n50="$nginx_p50" \
  -v n99="$nginx_p99" -v c="$connections" 'BEGIN {
  printf "%-28s %10.0f req/s  p50 %7.2f ms  p99 %7.2f ms\n", "ledgerdesk serve", a, a50, a99
  printf "%-28s %10.0f req/s  p50 %7.2f ms  p99 %7.2f ms\n", "nginx, static file", n, n50, n99
  ratio = a / n
  printf "%-28s %10.2f of nginx; goal >= 0.60 and p99 < 10 ms at 64 connections: %s\n", "ratio", ratio,
    (ratio >= 0.6 && a99 < 10 ? "met" : "NOT met") (c == 64 ? "" : " (this run: " c " connections)")
}'
