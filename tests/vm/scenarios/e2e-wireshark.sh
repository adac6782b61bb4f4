# shellcheck shell=dash
# Guest half of e2e scenario 17 (issue 25): what is inside a vsock
# capture, for the Wireshark plugin (wireshark/vsockmon.lua) to decode on
# the host (tests/vm/wireshark-judge.sh). Sourced by e2e-main.sh, after
# vmtest.sh and e2e-lib.sh, with vsock_loopback and our module loaded.
# Over CID 1, captured by `vsockmon-ctl capture -w s17.pcap`:
# - an HTTP server on port 8080 (socat, one dash responder per connection)
#   gets three POSTs, one connection each: two of 100 bytes, one of 300 KiB;
#   it answers 200 with the sha256 of the body it read;
# - a TLS handshake on port 4443: openssl s_client with SNI $S17_SNI,
#   s_server -www behind socat (both speak to socat over Unix sockets).
# Facts: s17_<req>_{send_rc,status,req_bytes,sha256,srv_sha256,srv_bytes},
# s17_tls_{rc,out,srv_rc}, s17_sni, s17_connections, and those of
# start_capture/stop_captures for s17. Needs FILE (random, >= 256 KiB).
log "scenario 17"
S17_SNI=vsockmon-e2e.test
S17_HTTP=8080
S17_TLS=4443
cat >/tmp/s17-httpd.sh <<'EOF'
# one HTTP/1.1 request on stdin, one answer on stdout, then close
cr=$(printf '\r')
read -r method uri _ || exit 1
len=0
while read -r line; do
	line=${line%"$cr"}
	[ -z "$line" ] && break
	case $line in
	[Cc]ontent-[Ll]ength:*)
		len=${line#*:}
		len=${len# }
		;;
	esac
done
f=/tmp/s17-srv$(echo "$uri" | tr / _)
head -c "$len" >"$f"
body="$method $uri: $(wc -c <"$f") bytes, sha256 $(sha256sum <"$f" | cut -d' ' -f1)"
printf 'HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: %d\r\nConnection: close\r\n\r\n%s\n' \
	$((${#body} + 1)) "$body"
EOF

# s17_post NAME BODY: POST BODY to /s17/NAME on its own connection
s17_post() {
	printf 'POST /s17/%s HTTP/1.1\r\nHost: vsock-1-%s\r\nContent-Type: text/plain\r\nContent-Length: %d\r\nConnection: close\r\n\r\n' \
		"$1" "$S17_HTTP" "$(wc -c <"$2")" >"/tmp/s17-$1.req"
	cat "$2" >>"/tmp/s17-$1.req"
	timeout 60 socat -t 30 - "VSOCK-CONNECT:1:$S17_HTTP" <"/tmp/s17-$1.req" >"/tmp/s17-$1.resp" 2>"/tmp/s17-$1.err"
	fact "s17_$1_send_rc" "$?"
	fact "s17_$1_req_bytes" "$(wc -c <"/tmp/s17-$1.req")"
	fact "s17_$1_sha256" "$(sha256sum <"$2" | cut -d' ' -f1)"
	fact "s17_$1_status" "$(sed -n '1s/\r$//p' "/tmp/s17-$1.resp")"
	fact "s17_$1_answer" "$(tail -n 1 "/tmp/s17-$1.resp") $(cat "/tmp/s17-$1.err")"
	fact "s17_$1_srv_sha256" "$(sha256sum <"/tmp/s17-srv_s17_$1" | cut -d' ' -f1)"
	fact "s17_$1_srv_bytes" "$(wc -c <"/tmp/s17-srv_s17_$1")"
}

# printable bodies (tshark 4.0's http.file_data is a string): base64 of
# the random file, 100 bytes twice and 300 KiB
head -c 75 "$FILE" | base64 | tr -d '\n' >/tmp/s17-small-1.body
tail -c 75 "$FILE" | base64 | tr -d '\n' >/tmp/s17-small-2.body
head -c 230400 "$FILE" | base64 | tr -d '\n' >/tmp/s17-big.body

printf '[req]\ndistinguished_name = dn\n[dn]\n' >/tmp/s17-req.cnf
run_fact s17_cert openssl req -config /tmp/s17-req.cnf -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 \
	-nodes -keyout /tmp/s17-key.pem -out /tmp/s17-cert.pem -subj "/CN=$S17_SNI" -days 2

start_capture s17
socat -t 30 "VSOCK-LISTEN:$S17_HTTP,fork" EXEC:"/bin/sh /tmp/s17-httpd.sh" 2>/tmp/s17-httpd.err &
s17_hp=$!
wait_listen "$S17_HTTP" || log "s17: no HTTP listener on $S17_HTTP"
s17_post small-1 /tmp/s17-small-1.body
s17_post small-2 /tmp/s17-small-2.body
s17_post big /tmp/s17-big.body
kill "$s17_hp"
wait "$s17_hp"

# TLS: s_client -> Unix -> socat -> vsock 4443 -> socat -> Unix -> s_server
OPENSSL_CONF=/tmp/s17-req.cnf openssl s_server -unix /tmp/s17-tls.sock -cert /tmp/s17-cert.pem \
	-key /tmp/s17-key.pem -naccept 1 -www >/tmp/s17-srv.out 2>&1 &
s17_sp=$!
socat "VSOCK-LISTEN:$S17_TLS" UNIX-CONNECT:/tmp/s17-tls.sock 2>/tmp/s17-tlsrelay.err &
s17_rp=$!
socat UNIX-LISTEN:/tmp/s17-tlsc.sock "VSOCK-CONNECT:1:$S17_TLS" 2>/tmp/s17-tlsclient.err &
s17_cp=$!
wait_for 10 test -S /tmp/s17-tls.sock
wait_listen "$S17_TLS"
wait_for 10 test -S /tmp/s17-tlsc.sock
printf 'GET / HTTP/1.0\r\n\r\n' | OPENSSL_CONF=/tmp/s17-req.cnf timeout 60 openssl s_client \
	-unix /tmp/s17-tlsc.sock -servername "$S17_SNI" -brief -ign_eof >/tmp/s17-cli.out 2>&1
fact s17_tls_rc "$?"
fact s17_tls_out "$(grep -E 'CONNECTION ESTABLISHED|Protocol version|HTTP/1.0' /tmp/s17-cli.out)"
wait_for 30 sh -c "! kill -0 $s17_sp" || kill "$s17_sp"
wait "$s17_sp"
fact s17_tls_srv_rc "$?"
for p in "$s17_rp" "$s17_cp"; do
	wait_for 30 sh -c "! kill -0 $p" || kill "$p"
	wait "$p"
done
stop_captures s17
fact s17_sni "$S17_SNI"
fact s17_http_port "$S17_HTTP"
fact s17_tls_port "$S17_TLS"
# vsock connections made: three HTTP, one TLS (the Unix legs are not vsock)
fact s17_connections 4
fact s17_errors "$(cat /tmp/s17-httpd.err /tmp/s17-tlsrelay.err /tmp/s17-tlsclient.err)"
