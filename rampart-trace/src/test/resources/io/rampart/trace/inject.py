# Sends hand-made IPv4 packets through a raw socket: one JSON object a line on stdin,
# {"src", "dst", "proto": 6|17|1, "sport", "dport", "flags", "icmp_type", "id", "ttl", "tos"}.
import json, socket, struct, sys, time

def checksum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    s = (s >> 16) + (s & 0xffff)
    s += s >> 16
    return (~s) & 0xffff

def transport(p, src, dst):
    proto = p["proto"]
    if proto == 6:
        hdr = struct.pack("!HHIIBBHHH", p["sport"], p["dport"], 1000, 2000 if p["flags"] & 16 else 0,
                          5 << 4, p["flags"], 64240, 0, 0)
    elif proto == 17:
        hdr = struct.pack("!HHHH", p["sport"], p["dport"], 8, 0)
    else:
        hdr = struct.pack("!BBHHH", p["icmp_type"], 0, 0, p["id"], 1)
        return hdr[:2] + struct.pack("!H", checksum(hdr)) + hdr[4:]
    pseudo = src + dst + struct.pack("!BBH", 0, proto, len(hdr))
    c = checksum(pseudo + hdr)
    at = 16 if proto == 6 else 6
    return hdr[:at] + struct.pack("!H", c) + hdr[at + 2:]

s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
s.setsockopt(socket.IPPROTO_IP, socket.IP_HDRINCL, 1)
for line in sys.stdin:
    p = json.loads(line)
    src, dst = socket.inet_aton(p["src"]), socket.inet_aton(p["dst"])
    body = transport(p, src, dst)
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, p["tos"], 20 + len(body), p["id"], 0, p["ttl"], p["proto"], 0, src, dst)
    s.sendto(ip + body, (p["dst"], 0))
    time.sleep(0.02)
