# Inner guest of `tests/vm/vhost/run --bench`: the microVM guest behind the
# outer host's vhost_vsock (CID 3). It serves the outer host's bulk
# transfers until told to stop: port 6000 swallows what it gets (host ->
# guest), port 6001 sends BULK bytes to whoever connects (guest -> host), a
# connection to port 6002 ends the boot.
# shellcheck source=../guest/vmtest.sh
. /lib/vmtest.sh
BULK=${BULK:-16777216}
fact kernel "$(uname -r)"
fact init_uptime "$(cut -d' ' -f1 /proc/uptime)"
head -c "$BULK" /dev/zero >/tmp/bulk
socat -u VSOCK-LISTEN:6000,fork CREATE:/dev/null 2>/tmp/sink.err &
socat -U VSOCK-LISTEN:6001,fork OPEN:/tmp/bulk 2>/tmp/source.err &
socat -u VSOCK-LISTEN:6002 CREATE:/tmp/stop 2>/tmp/stop.err
fact stop_rc "$?"
fact served "$(cat /tmp/sink.err /tmp/source.err)"
fact end 1
