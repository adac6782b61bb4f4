# shellcheck shell=bash
# The host half of e2e scenario 17 (scenarios/e2e-wireshark.sh, issue 25):
# the main boot's capture of HTTP and TLS over vsock, read by the real
# tshark with this tree's Wireshark plugin (wireshark/vsockmon.lua, loaded
# with -X lua_script, port 8080 as HTTP and 4443 as TLS through its
# preference vsockmon.decode). Sourced by e2e after e2e-judge.sh and
# safety-judge.sh, whose check/get helpers it uses; judge_main calls
# judge_wireshark.

scenario_rows=("${scenario_rows[@]/%klog/17}" klog)
scenario_name+=([17]="Wireshark plugin")

# s17_tshark ARGS...: tshark with the plugin of this tree and a private
# HOME; a copy installed in tshark's global Lua folder (the package's) is
# hidden by a private mount, else both would register "vsockmon". Its
# stderr goes to $s17_err.
s17_tshark() {
	if [[ -n $s17_hide ]]; then
		# shellcheck disable=SC2016 # expanded by the inner sh
		HOME=$s17_home unshare -m sh -c 'mount --bind "$1" "$2" && shift 2 && exec tshark "$@"' \
			sh "$s17_home/empty" "$s17_hide" -X lua_script:"$REPO_ROOT/wireshark/vsockmon.lua" "$@" 2>>"$s17_err"
	else
		HOME=$s17_home tshark -X lua_script:"$REPO_ROOT/wireshark/vsockmon.lua" "$@" 2>>"$s17_err"
	fi
}

judge_wireshark() {
	# shellcheck disable=SC2034 # checks are eval'd strings
	local pcap=$bootdir/artefacts/s17.pcap s17_home=$bootdir/s17-home s17_err=$bootdir/s17-tshark.err
	local s17_hide='' luadir dec sni http tls r want got n big_frames streams tuples
	local -a ts
	rm -rf "$s17_home"
	mkdir -p "$s17_home/empty"
	: >"$s17_err"
	luadir=$(HOME=$s17_home tshark -G folders 2>/dev/null | sed -n 's/^Global Lua Plugins:[[:space:]]*//p')
	[[ -z $luadir || ! -e $luadir/vsockmon.lua ]] || s17_hide=$luadir
	http=$(get s17_http_port) tls=$(get s17_tls_port) sni=$(get s17_sni)
	dec="vsockmon.decode:$http=http,$tls=tls"
	ts=(s17_tshark -r "$pcap" -o "$dec")

	# --- what the guest saw
	for r in small-1:100 small-2:100 big:307200; do
		n=${r%%:*}
		check 17 "POST /s17/$n (${r#*:} bytes) over vsock port ${http:-?}: '$(get "s17_${n}_status")', the server read $(get "s17_${n}_srv_bytes") bytes, sha256-equal to what was sent" \
			eval '[[ $(get s17_${n}_send_rc) == 0 && $(get s17_${n}_status) == "HTTP/1.1 200 OK" &&
				$(get s17_${n}_srv_bytes) == ${r#*:} && -n $(get s17_${n}_sha256) &&
				$(get s17_${n}_srv_sha256) == "$(get s17_${n}_sha256)" ]]'
	done
	check 17 "TLS over vsock port ${tls:-?} with SNI '$sni': s_client exit $(get s17_tls_rc), s_server exit $(get s17_tls_srv_rc): $(get s17_tls_out | sed 's/ \\n / | /g')" \
		eval '[[ -n $sni && $(get s17_tls_rc) == 0 && $(get s17_tls_srv_rc) == 0 ]] && has "$(get s17_tls_out)" "CONNECTION ESTABLISHED"'
	capture_checks 17 s17

	# --- what tshark with the plugin reads in the capture
	got=$("${ts[@]}" -T fields -e frame.number | wc -l)
	check 17 "tshark -X lua_script:vsockmon.lua reads s17.pcap ($got frames) without a Lua error: $(grep -i lua "$s17_err" | sed -n 1p | cut -c1-120)" \
		eval '((got > 0)) && ! grep -qi lua "$s17_err"'
	want=$(printf 'POST\t/s17/small-1\nPOST\t/s17/small-2\nPOST\t/s17/big')
	got=$("${ts[@]}" -Y http.request -T fields -e http.request.method -e http.request.uri)
	check 17 "-o $dec -Y http.request: every request, once, with its method and URI: $(tr '\t\n' ' ,' <<<"$got")" \
		eq "$got" "$want"
	got=$("${ts[@]}" -Y 'http.response.code == 200' -T fields -e http.response_for.uri)
	check 17 "-Y 'http.response.code == 200': every response, for its request: $(tr '\n' ' ' <<<"$got")" \
		eval '[[ $got == "$(printf "http://vsock-1-%s/s17/%s\n" $http small-1 $http small-2 $http big)" &&
			$("${ts[@]}" -Y http.response -T fields -e frame.number | wc -l) == 3 ]]'
	got=$("${ts[@]}" -Y 'http.request.uri == "/s17/big"' -T fields -e frame.number -e http.content_length -e vsockmon.reassembled_len)
	big_frames=$("${ts[@]}" -Y "vsockmon.stream == $("${ts[@]}" -Y 'http.request.uri == "/s17/big"' -T fields -e vsockmon.stream) && vsockmon.dir == 0 && vsockmon.len > 0" -T fields -e frame.number | wc -l)
	check 17 "the 300 KiB request is ONE HTTP request reassembled from $big_frames frames (frame, Content-Length, reassembled length: $(tr '\t' ' ' <<<"$got"); the request was $(get s17_big_req_bytes) bytes) whose body is 307200 bytes" \
		eval '[[ $(wc -l <<<"$got") == 1 && $(cut -f2,3 <<<"$got") == "$(printf "307200\t%s" "$(get s17_big_req_bytes)")" ]] && ((big_frames > 1)) &&
			[[ $("${ts[@]}" -Y "len(http.file_data) == 307200 && http.request" -T fields -e frame.number) == "$(cut -f1 <<<"$got")" ]]'
	for n in small-1 small-2 big; do
		got=$(printf %s "$("${ts[@]}" -Y "http.request.uri == \"/s17/$n\"" -T fields -e http.file_data)" | sha_of)
		check 17 "the body of /s17/$n as tshark reassembled it (http.file_data) is sha256-equal to what the guest's server read ($(cut -c1-16 <<<"$got")...)" \
			eq "$got" "$(get "s17_${n}_srv_sha256")"
	done
	got=$("${ts[@]}" -Y 'tls.handshake.type == 1' -T fields -e tls.handshake.extensions_server_name)
	check 17 "-Y 'tls.handshake.type == 1': one ClientHello, its SNI (tls.handshake.extensions_server_name) '$got' is the name set ('$sni'), and the ServerHello decodes" \
		eval '[[ -n $sni && $got == "$sni" ]] && [[ $("${ts[@]}" -Y "tls.handshake.type == 2" -T fields -e frame.number | wc -l) == 1 ]]'

	# streams: one per connection; a connection is its two (cid, port) ends
	got=$("${ts[@]}" -T fields -E separator=' ' -e vsockmon.stream -e vsock.src_cid -e vsock.src_port -e vsock.dst_cid -e vsock.dst_port)
	streams=$(awk '{ print $1 }' <<<"$got" | sort -u | wc -l)
	tuples=$(awk '{ a = $2 ":" $3; b = $4 ":" $5; print (a < b ? a " " b : b " " a), $1 }' <<<"$got" | sort -u)
	check 17 "vsockmon.stream: one distinct stream per connection ($streams streams, $(get s17_connections) connections made)" \
		eval '[[ $streams == "$(get s17_connections)" && -n $(get s17_connections) ]]'
	check 17 "vsockmon.stream: all frames of a connection carry one stream, connections differ ($(awk '{ print $1, $2, "->", $3 }' <<<"$tuples" | paste -sd, | cut -c1-200))" \
		eval '[[ $(awk "{ print \$1, \$2 }" <<<"$tuples" | sort -u | wc -l) == "$(get s17_connections)" &&
			$(wc -l <<<"$tuples") == "$(get s17_connections)" && $(awk "{ print \$3 }" <<<"$tuples" | sort -u | wc -l) == "$(get s17_connections)" ]]'
	got=$("${ts[@]}" -Y http -T fields -E separator=' ' -e vsockmon.stream -e http.request.uri -e http.response_for.uri)
	check 17 "each request and its response in one stream, one stream per request: $(paste -sd, <<<"$got" | sed 's|http://[^/]*||g')" \
		eval '[[ $(wc -l <<<"$got") == 6 && $(awk "{ print \$1 }" <<<"$got" | sort -u | wc -l) == 3 ]] &&
			[[ $(awk "{ u = \$2; sub(/^http:\/\/[^\/]*/, \"\", u); print \$1, u }" <<<"$got" | sort -u | wc -l) == 3 ]]'

	# the control: without the preference the payload is not HTTP nor TLS
	got=$(s17_tshark -r "$pcap" -o vsockmon.decode: -Y 'http || tls' -T fields -e frame.number | wc -l)
	check 17 "control: with the plugin but vsockmon.decode empty, no frame is HTTP or TLS ($got are)" \
		eq "$got" 0
}
