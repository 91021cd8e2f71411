#!/usr/bin/env python3
"""Helpers of keepalived_differential_test.sh.

  plan FILE       the lab a corpus file needs, one command a line:
                    link IF ADDR4 ADDR6     a veth IF (peer in the peer namespace),
                                            up, with these addresses
                    down IF                 IF is created but left down
                    addr IF ADDR            one more address on IF
                    settle SECONDS          how long a lone node takes to settle
                  Interfaces are those the file (and what it includes) names:
                  `interface X`, `dev X`, the items of `track_interface { }`, in
                  order of appearance; header comments adjust the plan:
                    # lab-missing: IF...    not created (a file about a missing one)
                    # lab-down: IF...       created, link down
                    # lab-addr: IF ADDR     one more address
                    # lab-settle: SECONDS   instead of Master_Down_Interval + 1.2 s
  prepare CORPUS DEST OUT   copies CORPUS to DEST: @DIR@ -> DEST in every file,
                  @OUT@ -> OUT/NAME in NAME.conf; makes OUT/NAME (mode 1777)
  normalize RAW   (or "-": PATHs on stdin, PATH.raw normalized into PATH) a raw snapshot (sections "== name" of command output) with what
                  legitimately differs between two namespaces taken away: ifindexes,
                  veth MACs and peer indexes, link-local addresses, lifetimes, the
                  peer namespace's name; lines sorted within a section.
"""
import glob
import ipaddress
import os
import re
import shutil
import sys

ADDR4 = ["192.0.2.1/24", "198.51.100.1/24", "203.0.113.1/28", "203.0.113.17/28",
         "203.0.113.33/28", "203.0.113.49/28"]


def strip_comment(line):
    out, quoted = [], False
    for ch in line:
        if ch == '"':
            quoted = not quoted
        elif ch in "!#" and not quoted:
            break
        out.append(ch)
    return "".join(out)


def read_tokens(path, seen):
    """Tokens of PATH and of the files it includes (relative to the including
    file's directory, as keepalived resolves them), braces as tokens."""
    real = os.path.realpath(path)
    if real in seen:
        return []
    seen.add(real)
    try:
        with open(path, "rb") as f:
            text = f.read().decode("latin-1")
    except OSError:
        return []
    tokens = []
    for line in text.replace("\r", "").split("\n"):
        line = strip_comment(line).replace("{", " { ").replace("}", " } ")
        words = re.findall(r'"[^"]*"|\S+', line)
        if len(words) >= 2 and words[0] == "include":
            pattern = words[1].strip('"')
            if not os.path.isabs(pattern):
                pattern = os.path.join(os.path.dirname(path), pattern)
            for inc in sorted(glob.glob(pattern)):
                tokens += read_tokens(inc, seen)
            continue
        tokens += [w.strip('"') for w in words] + ["\n"]
    return tokens


def plan(path):
    with open(path, "rb") as f:
        header = f.read().decode("latin-1").replace("\r", "")
    missing, down, extra, settle = set(), set(), [], None
    for m in re.finditer(r"^#\s*lab-(missing|down|addr|settle):\s*(.*)$", header, re.M):
        kind, arg = m.group(1), m.group(2).split()
        if kind == "missing":
            missing.update(arg)
        elif kind == "down":
            down.update(arg)
        elif kind == "addr":
            extra.append(arg[:2])
        else:
            settle = float(arg[0])
    tokens = read_tokens(path, set())
    names, adverts, priorities = [], [], []

    def add(name):
        if name not in names and name not in "{}\n" and not name[0].isdigit():
            names.append(name)

    i = 0
    while i < len(tokens):
        t = tokens[i]
        if t in ("interface", "dev") and i + 1 < len(tokens):
            add(tokens[i + 1])
        elif t == "priority" and i + 1 < len(tokens):
            if tokens[i + 1].isdigit() and 1 <= int(tokens[i + 1]) <= 255:
                priorities.append(int(tokens[i + 1]))
        elif t == "advert_int" and i + 1 < len(tokens):
            try:
                adverts.append(float(tokens[i + 1]))
            except ValueError:
                pass
        elif t == "track_interface" and i + 1 < len(tokens) and tokens[i + 1] == "{":
            j, first = i + 2, True
            while j < len(tokens) and tokens[j] != "}":
                if tokens[j] == "\n":
                    first = True
                elif first:
                    add(tokens[j])
                    first = False
                j += 1
            i = j
        i += 1
    out = []
    for n, name in enumerate(names):
        if name in missing:
            continue
        a4 = ADDR4[n] if n < len(ADDR4) else "203.0.113.%d/32" % (100 + n)
        net = ipaddress.ip_interface(a4).network
        peer = "%s/%d" % (net.network_address + 2, net.prefixlen)
        out.append("link %s %s 2001:db8:%x::1/64 %s" % (name, a4, n, peer))
        if name in down:
            out.append("down %s" % name)
    for name, addr in extra:
        out.append("addr %s %s" % (name, addr))
    adv = max([a for a in adverts if 0 < a <= 255] or [1.0])
    if settle is None:
        # A lone backup becomes master after Master_Down_Interval = 3 adverts + skew
        # ((256 - priority) / 256 adverts), for the lowest priority in the file.
        skew = (256 - min(priorities or [100])) / 256.0
        settle = min(max((3 + skew) * adv + 1.2, 2.5), 8.0)
    out.append("settle %.1f" % settle)
    print("\n".join(out))


def normalize(arg):
    """PATH.raw -> PATH for each PATH read from stdin (arg "-"), else ARG to stdout."""
    if arg == "-":
        for path in sys.stdin.read().split():
            with open(path, "w") as out:
                sys.stdout = out
                normalize_one(path + ".raw")
        sys.stdout = sys.__stdout__
    else:
        normalize_one(arg)


def macvlan_line(line):
    """`ip -d -o link` of a macvlan -> what use_vmac decides: name@lower, flags, MAC,
    mode, addrgenmode (counters, queue lengths and gso sizes dropped)."""
    line = re.sub(r"^\d+:\s+", "", line.replace("\\", " "))
    head = re.match(r"^(\S+): (<[^>]*>)", line)
    parts = [head.group(1), head.group(2)] if head else [line.split()[0]]
    for pat in (r"link/ether \S+", r"macvlan mode \S+", r"addrgenmode \S+"):
        m = re.search(pat, line)
        if m:
            parts.append(m.group(0))
    return " ".join(parts)


def drop_keepalived_vmac_nft(lines):
    """keepalived 2.2.7 adds, for use_vmac, nft rules that duplicate a VMAC's IGMP (and
    MLD) reports to the base interface and drop them on the VMAC; holdfastd builds the
    same rule in a table of its own (ip holdfast_vmac), so the table names differ. Both
    are removed, whatever the table: the maps/sets vmac_map and vmac_set, the rules
    matching oifkind "macvlan", chains left with only their hook, tables left empty."""
    out, stack = [], []  # stack: [start index in out, header, touched]
    skip = 0
    for raw in lines:
        s = raw.strip()
        if skip:
            skip += s.count("{") - s.count("}")
            continue
        if re.match(r"^(map|set) vmac_(map|set) \{$", s):
            skip = 1
            if stack:
                stack[-1][2] = True
            continue
        if 'oifkind "macvlan"' in s:
            if stack:
                stack[-1][2] = True
            continue
        if s.endswith("{"):
            stack.append([len(out), s, False])
            out.append(raw)
            continue
        if s == "}" and stack:
            start, header, touched = stack.pop()
            body = [l.strip() for l in out[start + 1:] if l.strip()]
            empty = not body or (header.startswith("chain") and all(" hook " in b for b in body))
            if touched and empty:
                del out[start:]
                if stack:
                    stack[-1][2] = True
                continue
            out.append(raw)
            continue
        out.append(raw)
    return out


def normalize_one(path):
    with open(path, encoding="utf-8", errors="replace") as f:
        text = f.read()
    sections, name = {}, None
    for line in text.split("\n"):
        if line.startswith("== "):
            name = line[3:].strip()
            sections.setdefault(name, [])
            continue
        if name is None or not line.strip():
            continue
        sections[name].append(line)
    if "nft" in sections:
        sections["nft"] = drop_keepalived_vmac_nft(sections["nft"])
    for name, lines in sections.items():
        if name == "macvlan":
            print("== macvlan")
            for line in sorted(macvlan_line(l) for l in lines):
                print(line)
            continue
        out = []
        for line in lines:
            line = line.replace("\\", " ")
            line = re.sub(r"^\d+:\s+", "", line) if name in ("addr", "link") else line
            if name in ("addr", "route4", "route6") and "fe80:" in line and "fe80::/64" not in line:
                continue  # the veths' link-local addresses are random
            line = re.sub(r"valid_lft \S+ preferred_lft \S+", "", line)
            line = re.sub(r"expires \S+", "", line)
            line = re.sub(r"@if\d+", "@peer", line)
            line = re.sub(r"link-netns \S+", "link-netns PEER", line)
            line = re.sub(r"link-netnsid \d+", "link-netns PEER", line)
            # veth MACs are random; a MAC a daemon sets (VRRP's 00:00:5e:00:01:xx) is kept
            line = re.sub(r"link/ether (?!00:00:5e:)[0-9a-f:]{17}", "link/ether MAC", line)
            if name == "sysctl" and ".stable_secret" in line:
                continue
            out.append(re.sub(r"\s+", " ", line).strip())
        print("== " + name)
        # nft's output is nested: its order is its meaning
        for line in (nft_comparable(out) if name == "nft" else sorted(out)):
            print(line)


def nft_comparable(lines):
    """What of `nft list ruleset` must be the same under keepalived and holdfastd.

    Both filter no_accept's VIPs in a table of their own with the same sets, chains,
    hooks, priorities and rules; only the default table's name differs (keepalived
    for keepalived, holdfast for holdfastd; `nftables NAME` names it for both). So:
    the table's name `keepalived`/`holdfast` becomes VRRP-TABLE; counters lose their
    values (traffic differs); a set's elements are sorted (a hash set lists them in
    its hash order); tables are sorted by their header line (keepalived creates each
    family's when its first VIP is added, holdfastd at start). Everything else --
    which addresses are in which set, which chain hooks where at which priority, what
    each rule matches and does -- is compared line for line, so a real difference
    (a VIP filtered by one only, a missing rule, another hook or priority) fails."""
    joined, pending = [], None
    for line in lines:
        if pending is not None:
            pending += " " + line
            if "}" in line:
                joined.append(pending)
                pending = None
            continue
        if "elements = {" in line and "}" not in line:
            pending = line
            continue
        joined.append(line)
    if pending is not None:
        joined.append(pending)
    blocks, current = [], None
    for line in joined:
        line = re.sub(r"^table (ip|ip6|inet) (keepalived|holdfast) \{", r"table \1 VRRP-TABLE {",
                      line)
        line = re.sub(r"counter packets \d+ bytes \d+", "counter", line)
        m = re.match(r"^(.*elements = \{)(.*)(\}.*)$", line)
        if m:
            items = sorted(i.strip() for i in m.group(2).split(",") if i.strip())
            line = m.group(1) + " " + ", ".join(items) + " " + m.group(3)
        if line.startswith("table ") or current is None:
            current = []
            blocks.append(current)
        current.append(line)
    return [line for block in sorted(blocks, key=lambda b: b[0]) for line in block]


def prepare(corpus, dest, outroot):
    shutil.copytree(corpus, dest)
    os.makedirs(outroot, exist_ok=True)
    os.chmod(dest, 0o755)
    os.chmod(outroot, 0o755)
    for root, _, files in os.walk(dest):
        for name in files:
            path = os.path.join(root, name)
            with open(path, "rb") as f:
                data = f.read()
            data = data.replace(b"@DIR@", dest.encode())
            if root == dest and name.endswith(".conf"):
                out = os.path.join(outroot, name[:-len(".conf")])
                os.makedirs(out, exist_ok=True)
                os.chmod(out, 0o1777)
                data = data.replace(b"@OUT@", out.encode())
            with open(path, "wb") as f:
                f.write(data)


if __name__ == "__main__":
    commands = {"plan": (plan, 1), "normalize": (normalize, 1), "prepare": (prepare, 3)}
    if len(sys.argv) < 2 or sys.argv[1] not in commands or len(sys.argv) != 2 + commands[sys.argv[1]][1]:
        sys.exit(__doc__)
    commands[sys.argv[1]][0](*sys.argv[2:])
