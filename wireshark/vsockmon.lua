-- SPDX-License-Identifier: GPL-2.0-or-later
--
-- vsockmon.lua: what is inside a vsock capture (pcap LINKTYPE_VSOCK, 271).
--
-- Wireshark's own vsock dissector stops at "Payload (N bytes)". This
-- plugin takes its place on wtap_encap 185 (WTAP_ENCAP_VSOCK), calls it
-- for the headers, then
--   * numbers every connection: vsockmon.stream, from its REQUEST to the
--     next REQUEST on the same two (cid, port) ends (so the RST after
--     the SHUTDOWNs stays in it);
--   * says which way a frame goes (vsockmon.dir: 0 from the end that
--     connected, 1 towards it) and counts the bytes of each direction;
--   * hands the payload, joined across frames when the protocol above
--     asks for more, to the "vsock.port" dissector table, which the
--     preference vsockmon.decode fills (tshark -o vsockmon.decode:8080=http).
-- Reading only: it needs no privilege. See docs/wireshark.md.

local VERSION = "0.1"
set_plugin_info({
	version = VERSION,
	description = "vsock streams, Decode As and reassembly (vsockmon)",
	author = "vsockmon",
	repository = "vsockmon",
})

local encap = DissectorTable.get("wtap_encap")
local WTAP_ENCAP_VSOCK = 185
local vsock = encap:get_dissector(WTAP_ENCAP_VSOCK)
if vsock == nil then
	return -- no vsock dissector in this Wireshark: nothing to extend
end

local p = Proto("vsockmon", "vsock stream (vsockmon)")
local ports = DissectorTable.new("vsock.port", "vsock port", ftypes.UINT32,
				 base.DEC, p)

local dirs = { [0] = "from the connecting end", [1] = "to the connecting end" }
local f = {
	stream = ProtoField.uint32("vsockmon.stream", "Stream index"),
	dir = ProtoField.uint8("vsockmon.dir", "Direction", base.DEC, dirs),
	seq = ProtoField.uint32("vsockmon.seq",
				"Offset in this direction (relative)"),
	len = ProtoField.uint32("vsockmon.len", "Payload length"),
	bytes_fwd = ProtoField.uint64("vsockmon.bytes_fwd",
				      "Bytes from the connecting end"),
	bytes_rev = ProtoField.uint64("vsockmon.bytes_rev",
				      "Bytes to the connecting end"),
	first = ProtoField.framenum("vsockmon.first", "First frame"),
	last = ProtoField.framenum("vsockmon.last", "Last frame"),
	more = ProtoField.bool("vsockmon.continued",
			       "Payload continues in a later frame"),
	reasm = ProtoField.uint32("vsockmon.reassembled_len",
				  "Reassembled payload length"),
	conn = ProtoField.uint32("vsockmon.conn",
				 "Relayed connection (hybrid capture)"),
}
p.fields = f

-- Which dissector reads which port. Wireshark 4.0 offers no Decode As
-- for a table made in Lua (its tables need a C registration), so the
-- preference fills the table: -o vsockmon.decode:8080=http,22=ssh.
-- Its default holds only ports a documented convention fixes:
--   22 ssh  systemd-ssh-generator(8), systemd >= 256: "a socket-activated
--           SSH per-connection service is bound to AF_VSOCK port 22".
local DEFAULT_DECODE = "22=ssh"
p.prefs.decode = Pref.string("Decode ports", DEFAULT_DECODE,
	"PORT=DISSECTOR pairs, comma separated (e.g. 8080=http,22=ssh); "
	.. "the port of the end that accepted the connection selects")
local decoded = {}

local function apply_prefs()
	for port, d in pairs(decoded) do
		ports:remove(port, d)
	end
	decoded = {}
	for port, name in string.gmatch(p.prefs.decode, "(%d+)%s*=%s*([%w_.%-]+)") do
		local ok, d = pcall(Dissector.get, name)
		port = tonumber(port)
		if ok and d ~= nil and port <= 4294967295 then
			ports:add(port, d)
			decoded[port] = d
		else
			report_failure("vsockmon.decode: no dissector \"" .. name .. "\"")
		end
	end
end
p.prefs_changed = apply_prefs
apply_prefs()

-- af_vsockmon_hdr (little-endian): op @24, transport @26, len @28;
-- virtio_vsock_hdr op at 32 + 30 when transport is VIRTIO (2).
local AF_CONNECT, AF_PAYLOAD = 1, 4
local V_REQUEST = 1
local TRANSPORT_VIRTIO = 2
local HDR_LEN = 32
local VIRTIO_HDR_LEN = 44

-- Per capture state, built on the first pass, read on later ones.
local streams, active, frames, pending, nstreams

local function reset()
	streams = {}	-- index -> { first, last, bytes = {[0], [1]} }
	active = {}	-- end pair key -> stream index
	frames = {}	-- frame number -> { stream, dir, seq, data }
	pending = {}	-- stream index * 2 + dir -> ByteArray not yet used
	nstreams = 0
end
reset()
p.init = reset

local function endkey(cid, port)
	return tostring(cid) .. ":" .. tostring(port)
end

local function new_stream(key, src, nr)
	local s = { first = nr, last = nr, bytes = { [0] = 0, [1] = 0 },
		    client = src, requested = src ~= nil }
	streams[nstreams] = s
	active[key] = nstreams
	nstreams = nstreams + 1
	return nstreams - 1
end

-- The relayed hybrid connection a frame belongs to, from its pcapng
-- comment "vsockmon connection N" (vsockmon-ctl capture --uds --pcapng).
local comment_f = Field.new("frame.comment")

local function conn_of()
	for _, c in ipairs({ comment_f() }) do
		local n = string.match(tostring(c.value),
				       "^vsockmon connection (%d+)$")
		if n ~= nil then
			return n
		end
	end
	return nil
end

-- First pass: which stream, which way, and what to hand the table. The
-- rules are vsockmon-ctl follow's (src/ctl/streams.h): keep them alike.
local function track(tvb, pinfo, payload_off, conn)
	local src = endkey(tvb(0, 8):le_uint64(), tvb(16, 4):le_uint())
	local dst = endkey(tvb(8, 8):le_uint64(), tvb(20, 4):le_uint())
	local key = src < dst and src .. "-" .. dst or dst .. "-" .. src
	if conn ~= nil then
		key = "#" .. conn	-- the ends may be another's too
	end
	local aop = tvb(24, 2):le_uint()
	local vop, vlen
	if tvb(26, 2):le_uint() == TRANSPORT_VIRTIO and
	   tvb(28, 2):le_uint() >= VIRTIO_HDR_LEN and
	   tvb:len() >= HDR_LEN + VIRTIO_HDR_LEN then
		vop = tvb(62, 2):le_uint()
		vlen = tvb(56, 4):le_uint()
	end
	local nr = pinfo.number
	local idx = active[key]
	local request = vop == V_REQUEST or (vop == nil and aop == AF_CONNECT)

	-- every REQUEST (or CONNECT without a virtio header: the hybrid
	-- relay makes one each) is a new connection; every other frame is
	-- the newest stream's of its ends, the RST after the SHUTDOWNs too
	if request then
		idx = nil
	end
	if idx == nil then
		idx = new_stream(key, request and src or nil, nr)
	end
	local s = streams[idx]
	if s.client == nil then
		s.client = src -- mid-connection start: the first sender
	end
	s.last = nr
	local dir = src == s.client and 0 or 1
	local r = { stream = idx, dir = dir, seq = s.bytes[dir], conn = conn }

	local n = tvb:len() - payload_off
	if vlen ~= nil and n > vlen then
		n = vlen	-- 6.1.y's split frames carry more than the packet
	end
	if aop == AF_PAYLOAD and n > 0 then
		s.bytes[dir] = s.bytes[dir] + n
		local slot = idx * 2 + dir
		local data = ByteArray.new()
		if pending[slot] ~= nil then
			data:append(pending[slot])
			pending[slot] = nil
		end
		data:append(tvb(payload_off, n):bytes())
		r.data = data
		r.len = n
	end

	frames[nr] = r
	return r
end

-- Hand DATA to the port's dissector, letting it ask for more bytes the
-- way it would over TCP. Returns the bytes it left for a later frame.
local function call_port(r, tvb, pinfo, tree, port)
	local rtvb = tvb
	if r.data:len() ~= r.len then
		rtvb = r.data:tvb("Reassembled vsock payload")
	end
	pinfo.desegment_len = 0
	pinfo.desegment_offset = 0
	pinfo.can_desegment = 2
	local ok = ports:try(port, rtvb, pinfo, tree)
	pinfo.can_desegment = 0
	if ok == 0 then
		return nil, 0
	end
	if pinfo.desegment_len > 0 and pinfo.desegment_offset < rtvb:len() then
		local off = pinfo.desegment_offset
		pinfo.desegment_len = 0
		pinfo.desegment_offset = 0
		return r.data:subset(off, r.data:len() - off), off
	end
	return nil, ok
end

-- The port that selects the dissector: the end that did not connect's.
-- When the capture missed the REQUEST, the first sender only may be the
-- client: then the other end's port, if only that one has a dissector.
local function port_of(tvb, s, dir)
	local sport, dport = tvb(16, 4):le_uint(), tvb(20, 4):le_uint()
	if dir == 1 then
		sport, dport = dport, sport
	end
	if not s.requested and ports:get_dissector(dport) == nil
	   and ports:get_dissector(sport) ~= nil then
		return sport
	end
	return dport
end

function p.dissector(tvb, pinfo, tree)
	vsock:call(tvb, pinfo, tree)
	if tvb:len() < HDR_LEN then
		return
	end
	local payload_off = HDR_LEN + tvb(28, 2):le_uint()
	if payload_off > tvb:len() then
		return
	end
	local conn = conn_of()
	local r = frames[pinfo.number]
	if r ~= nil and r.conn ~= conn then
		-- the first pass built no tree (tshark -2 without -R), so it
		-- could not read the comments: number again, in this pass
		reset()
		r = nil
	end
	local first = r == nil
	if first then
		r = track(tvb, pinfo, payload_off, conn)
	end
	local s = streams[r.stream]

	local t = tree:add(p, tvb(0, payload_off))
	t:add(f.stream, r.stream):set_generated()
	if r.conn ~= nil then
		t:add(f.conn, tonumber(r.conn)):set_generated()
	end
	t:add(f.dir, r.dir):set_generated()
	t:add(f.first, s.first):set_generated()
	if pinfo.visited then
		t:add(f.last, s.last):set_generated()
		t:add(f.bytes_fwd, UInt64(s.bytes[0])):set_generated()
		t:add(f.bytes_rev, UInt64(s.bytes[1])):set_generated()
	end
	if r.data == nil then
		return
	end
	t:add(f.seq, r.seq):set_generated()
	t:add(f.len, r.len):set_generated()
	if r.data:len() ~= r.len then
		t:add(f.reasm, r.data:len()):set_generated()
	end

	local port = port_of(tvb, s, r.dir)
	local left = call_port(r, tvb(payload_off, r.len):tvb(), pinfo, tree,
			       port)
	if left ~= nil then
		t:add(f.more, true):set_generated()
		pinfo.cols.info:set("[vsock segment of a reassembled PDU]")
		if first then
			pending[r.stream * 2 + r.dir] = left
		end
	end
end

encap:add(WTAP_ENCAP_VSOCK, p)
