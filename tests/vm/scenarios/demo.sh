# Guest half of tests/vm/demo: a vsock conversation over the loopback
# transport (CID 1), captured by vsockmon-ctl on a temporary monitor.
# Env: PORT (default 1234), MESSAGE (what the client sends).
# shellcheck source=../guest/vmtest.sh
. /lib/vmtest.sh
PORT=${PORT:-1234}
MESSAGE=${MESSAGE:-hello over vsock}
fact kernel "$(uname -r)"
run_fact modprobe_loopback modprobe vsock_loopback
modprobe vsock_diag 2>/dev/null
run_fact version vsockmon-ctl version

vsockmon-ctl capture -w "$ARTEFACTS/demo.pcap" 2>/tmp/capture.err &
cap=$!
wait_for 30 grep -q 'capturing on' /tmp/capture.err
fact capture_start "$(head -n 1 /tmp/capture.err)"

# a server that answers in capitals, and a client that asks once
socat "VSOCK-LISTEN:$PORT" EXEC:'tr a-z A-Z' 2>/tmp/server.err &
srv=$!
wait_for 10 sh -c "ss -H -l --vsock | grep -Eq ':$PORT([^0-9]|\$)'"
fact answer "$(printf '%s\n' "$MESSAGE" | timeout 30 socat - "VSOCK-CONNECT:1:$PORT" 2>/tmp/client.err)"
fact client_err "$(cat /tmp/client.err)"
wait_for 10 sh -c "! kill -0 $srv" || kill "$srv" 2>/dev/null

# let the last frames reach the tool (libpcap hands them over in 100 ms blocks)
sleep 1
kill -INT "$cap"
wait "$cap"
fact capture_rc "$?"
fact capture_end "$(tail -n 1 /tmp/capture.err)"
fact monitors_left "$(ip -o link show type vsockmon | wc -l)"
