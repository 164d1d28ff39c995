# Sends hand-made IPv4 or IPv6 packets through a raw socket: one JSON object a line on stdin,
# {"src", "dst", "proto": 6|17|1|58, "sport", "dport", "flags", "icmp_type", "id", "ttl", "tos", "length"}.
# The family follows the addresses; "ttl" is the hop limit and "tos" the traffic class for IPv6;
# "length", the IP packet's (IPv6: with its 40-byte header), is made up with zero bytes of payload.
import json, socket, struct, sys, time

def checksum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    s = (s >> 16) + (s & 0xffff)
    s += s >> 16
    return (~s) & 0xffff

def transport(p, src, dst, v6):
    proto = p["proto"]
    header = 20 if proto == 6 else 8
    payload = bytes(max(0, p["length"] - (40 if v6 else 20) - header))
    if proto == 6:
        hdr = struct.pack("!HHIIBBHHH", p["sport"], p["dport"], 1000, 2000 if p["flags"] & 16 else 0,
                          5 << 4, p["flags"], 64240, 0, 0) + payload
        at = 16
    elif proto == 17:
        hdr = struct.pack("!HHHH", p["sport"], p["dport"], 8 + len(payload), 0) + payload
        at = 6
    else:
        hdr = struct.pack("!BBHHH", p["icmp_type"], 0, 0, p["id"], 1) + payload
        at = 2
        if not v6:
            return hdr[:2] + struct.pack("!H", checksum(hdr)) + hdr[4:]
    if v6:
        pseudo = src + dst + struct.pack("!IxxxB", len(hdr), proto)
    else:
        pseudo = src + dst + struct.pack("!BBH", 0, proto, len(hdr))
    c = checksum(pseudo + hdr)
    return hdr[:at] + struct.pack("!H", c) + hdr[at + 2:]

sockets = {}
for line in sys.stdin:
    p = json.loads(line)
    v6 = ":" in p["dst"]
    family = socket.AF_INET6 if v6 else socket.AF_INET
    if family not in sockets:
        s = socket.socket(family, socket.SOCK_RAW, socket.IPPROTO_RAW)
        if not v6:
            s.setsockopt(socket.IPPROTO_IP, socket.IP_HDRINCL, 1)
        sockets[family] = s
    s = sockets[family]
    src, dst = socket.inet_pton(family, p["src"]), socket.inet_pton(family, p["dst"])
    body = transport(p, src, dst, v6)
    if v6:
        ip = struct.pack("!IHBB16s16s", (6 << 28) | (p["tos"] << 20), len(body), p["proto"], p["ttl"], src, dst)
    else:
        ip = struct.pack("!BBHHHBBH4s4s", 0x45, p["tos"], 20 + len(body), p["id"], 0, p["ttl"], p["proto"], 0,
                         src, dst)
    try:
        s.sendto(ip + body, (p["dst"], 0))
    except OSError:
        pass  # a packet this host sends and its own rules drop: sendto reports EPERM
    time.sleep(0.02)
