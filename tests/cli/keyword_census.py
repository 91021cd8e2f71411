#!/usr/bin/env python3
"""Keyword census: every keyword keepalived.conf(5) documents must be known to holdfastd.

Extracts the keywords, block by block, from the roff source of keepalived.conf(5), then
for each one writes a config that holds it in its block and runs `holdfastd -t` on it.
A keyword is unknown to holdfastd when it draws the same diagnostic as a made-up
keyword (the canary) in the same place; the canary must draw one in every block that
holdfastd parses, so a change in the wording of that diagnostic cannot make the test
pass by seeing nothing.

usage: keyword_census.py HOLDFASTD MANPAGE [CENSUS_OUT]
  MANPAGE     keepalived.conf.5 or keepalived.conf.5.gz
  CENSUS_OUT  optional: write every keyword with its status in holdfast there
"""

import gzip
import os
import re
import subprocess
import sys
import tempfile

# Words the extraction picks up that are not keywords. Keep this short; say why.
EXCLUDED = {
    # A line of its own between two syntaxes of lvs_method (and sorry_server_lvs_method)
    # in virtual_server and real_server: "lvs_method NAT|DR / or / lvs_method TUN ...".
    "or": "prose between two alternative syntaxes of lvs_method",
    # vrrp_instance: the comment about <LABEL> continues on lines without '#':
    # "be of the form <realdev>:<anytext>, for example".
    "be": "a comment line in vrrp_instance that lost its '#'",
    # interface_up_down_delays: "ifname down_delay [up_delay]": an optional value.
    "up_delay": "an optional value in interface_up_down_delays",
}

# CHECKER_TYPE is the man page's name for any checker ("HTTP_GET|SSL_GET|TCP_CHECK|..."
# in the comment above it); its options are common to the checkers, so the census puts
# them in TCP_CHECK, the checker with no options of its own.
PLACEHOLDERS = {"CHECKER_TYPE": "TCP_CHECK"}

# Blocks where holdfastd would say nothing about a word it does not know (because it
# took the word for one more item), with the words checked by hand there; a word the
# man page adds there fails until it is added here. None today: an unknown word after
# an item is reported (core/config/parser.cc, parseItem).
BY_HAND = {}

# Keywords the man page names only in a comment, as a synonym of a documented one.
SYNONYM = re.compile(r"\(synonym (\w+)\)|# (\w+) is a deprecated synonym")

# Bold words may be anything; an unbolded first word must look like keepalived's
# keywords (lower case, or upper case like TCP_CHECK) to count: this drops prose.
KEYWORD = re.compile(r"^[A-Za-z][A-Za-z0-9_-]*$")
UNBOLD_KEYWORD = re.compile(r"^([a-z][a-z0-9_-]*|[A-Z][A-Z0-9_]*)$")
MODIFIER = re.compile(r"^-?[a-z][a-z0-9_]*$")
CANARY = "censusbogus"


class Block:
    def __init__(self, key, opener, parent):
        self.key = key  # the names of the blocks from the top level down to this one
        self.opener = opener  # the line that opens it, as the man page writes it
        self.parent = parent
        self.keywords = []  # (word, source line number)
        self.modifiers = []  # (word, source line number): words after a list item
        self.has_bold_line = False
        self.unbold = []  # (word, source line number, opens a block, the line's tokens)
        self.items = []  # (tokens, source line number): lines that are not keywords

    def path(self):
        return "/".join(self.key) or "top level"


def read_man(path):
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rt", encoding="utf-8", errors="replace") as f:
        return f.read().splitlines()


def unroff(line):
    """The text of a no-fill line: font changes dropped, escapes resolved."""
    bold_first = bool(re.match(r"^\s*\\fB", line))
    text = re.sub(r"\\f[BIRP]", "", line)
    text = text.replace("\\e", "\\").replace("\\-", "-").replace("\\(aq", "'")
    return text, bold_first


def extract(lines):
    """Returns the top-level Block and every block by path, as the man page shows them.

    Example blocks sit between .nf and .fi; a line whose code (before '#') ends with '{'
    opens a block named by its first word, a line starting with '}' closes one. The same
    block shown twice (SSL_GET, alone and in "HTTP_GET|SSL_GET {") is merged.
    """
    root = Block((), "", None)
    blocks = {(): root}

    def child(parent_key, name, opener):
        key = parent_key + (name,)
        if key not in blocks:
            blocks[key] = Block(key, opener, blocks[parent_key])
        return key

    section = ""
    nofill = False
    stack = [[()]]  # each level: the keys of the blocks open there (two for "A|B {")
    for n, raw in enumerate(lines, 1):
        if raw.startswith(".SH"):
            section = raw[3:].strip().strip('"')
            nofill = False
            stack = [[()]]
            continue
        if section == "ADVANCED CONFIGURATION":
            break  # templates and substitutions, built of keywords shown before
        if raw.startswith(".nf"):
            nofill = True
            continue
        if raw.startswith((".fi", ".PP")):
            # .PP ends the example too: interface_up_down_delays' prose follows its
            # example inside the same .nf.
            nofill = False
            continue
        if raw.startswith("."):
            continue
        if not nofill:
            # Outside examples only the include directives stand on lines of their own.
            m = re.match(r"^\\fB(\w+)\\fR FILENAME", raw)
            if m:
                root.keywords.append((m.group(1), n))
            continue

        text, bold_first = unroff(raw)
        here = [blocks[k] for k in stack[-1]]
        m = SYNONYM.search(text)
        if m:
            for b in here:
                b.keywords.append((m.group(1) or m.group(2), n))
        code = text.split("#", 1)[0]
        tokens = code.split()
        if not tokens:
            continue
        if tokens[0] == "}":
            if len(stack) > 1:
                stack.pop()
            continue
        opens = tokens[-1] == "{"
        first = tokens[0]
        names = first.split("|") if bold_first else [first]
        pattern = KEYWORD if bold_first else UNBOLD_KEYWORD
        if not all(pattern.match(w) for w in names):
            # A list item (<IPADDR> ..., 192.168.1.1/24 ..., "[label ..." continuing one).
            for b in here:
                b.items.append((tokens, n))
            if opens:
                stack.append([])  # not expected in keepalived.conf(5); its lines are lost
            continue
        for b in here:
            if bold_first:
                b.has_bold_line = True
                b.keywords.extend((w, n) for w in names)
            else:
                b.unbold.append((first, n, opens, tokens))
        if opens:
            stack.append([child(k, PLACEHOLDERS.get(w, w),
                                " ".join([PLACEHOLDERS.get(w, w)] + tokens[1:]))
                          for k in stack[-1] for w in names])
    return root, blocks


def classify(root, blocks):
    """Settles unbolded words and list items; returns the exclusions that were used."""
    used = set()
    for b in blocks.values():
        # A block that shows any keyword in bold is a keyword block: an unbolded first
        # word there is a keyword too (disable_local_igmp, param_match, ...). In a block
        # that shows none, the lines are items (eth0, VI_1, from ..., ifname delay).
        # At the top level, only an unbolded word that opens a block is a keyword
        # (interface_up_down_delays); other lines there are prose kept in .nf.
        for word, n, opens, tokens in b.unbold:
            if word in EXCLUDED:
                used.add(word)
                continue
            if word in PLACEHOLDERS:
                continue
            if b.parent is None and not opens:
                continue
            if b.parent is None or b.has_bold_line:
                b.keywords.append((word, n))
            else:
                b.items.append((tokens, n))
        # Words after a list item: the first word of each [...] (alternatives split on
        # '|'), and a bare word followed by a <PLACEHOLDER> ("eth2 weight <-253..253>").
        # Route and rule options (via, table, ...) are the ip(8) syntax keepalived
        # passes on, not keywords of its own, and the man page writes them bare.
        if b.has_bold_line:
            continue
        for tokens, n in b.items:
            line = " ".join(tokens)
            words = [alt for m in re.finditer(r"\[([^\]\s]+)", line)
                     for alt in m.group(1).split("|")]
            words += [a for a, v in zip(tokens[1:], tokens[2:]) if v.startswith("<")]
            for w in words:
                if w in EXCLUDED:
                    used.add(w)
                elif MODIFIER.match(w):
                    b.modifiers.append((w, n))
    return used


def unique(pairs):
    seen, out = set(), []
    for w, n in pairs:
        if w not in seen:
            seen.add(w)
            out.append((w, n))
    return out


# ---- running holdfastd ------------------------------------------------------------


class Runner:
    def __init__(self, holdfastd, tmp):
        self.holdfastd = holdfastd
        self.conf = os.path.join(tmp, "census.conf")

    def run(self, text):
        with open(self.conf, "w") as f:
            f.write(text)
        p = subprocess.run([self.holdfastd, "-t", "-f", self.conf], capture_output=True,
                           text=True, timeout=30)
        diags = []
        prefix = self.conf + ":"
        for line in (p.stdout + p.stderr).splitlines():
            if not line.startswith(prefix):
                continue
            m = re.match(r"^(\d+)(?::(\d+))?: (\w[\w ]*?): (.*)$", line[len(prefix):])
            if m:
                diags.append((int(m.group(1)), int(m.group(2) or 0), m.group(3), m.group(4)))
        return diags


def opener_line(b):
    """The line that opens block b in the generated config: the man page's own."""
    text = re.sub(r"\s+", " ", b.opener).strip()
    if not text.endswith("{"):
        text += " {"
    return text


def config_for(b, lines):
    """A config holding `lines` in block b; returns (text, line number of lines[0])."""
    chain = []
    x = b
    while x.parent is not None:
        chain.append(x)
        x = x.parent
    chain.reverse()
    out = ["  " * depth + opener_line(x) for depth, x in enumerate(chain)]
    first = len(out) + 1
    out += ["  " * len(chain) + line for line in lines]
    out += ["  " * depth + "}" for depth in reversed(range(len(chain)))]
    return "\n".join(out) + "\n", first


def signature(diags, at, word):
    """What holdfastd says at line `at` naming `word`, with `word` made generic."""
    sig = set()
    for line, _col, sev, msg in diags:
        if line == at and f"'{word}'" in msg:
            sig.add((sev, msg.split("; did you mean")[0].replace(f"'{word}'", "'<W>'")))
    return sig


def no_effect(diags, at, word):
    for line, _col, _sev, msg in diags:
        if line == at and f"'{word}'" in msg and "no effect" in msg:
            return msg
    return None


# Lines per generated config: holdfastd stops reporting errors after 100, and the
# canary, last in each config, proves that nothing before it was dropped.
CHUNK = 20


def census_of_block(runner, blocks, b):
    """Checks every keyword of block b; returns [(kind, word, status, unknown)], failures."""
    rows, failures = [], []
    entries = [("keyword", w, src) for w, src in unique(b.keywords)]
    entries += [("modifier", w, src) for w, src in unique(b.modifiers)]
    is_list = not b.keywords

    def line_for(i, kind, word):
        if kind == "modifier" or is_list:
            return f"192.0.2.{i + 1} {word}"  # an item, then the word after it
        # A keyword that opens a block in keepalived gets the man page's opening line
        # (its arguments too) and an empty block, so that the skipping is tried.
        child = blocks.get(b.key + (word,))
        return opener_line(child) + " }" if child else word

    for start in range(0, len(entries), CHUNK):
        chunk = entries[start:start + CHUNK]
        lines = [line_for(i, kind, word) for i, (kind, word, _) in enumerate(chunk)]
        lines.append(line_for(len(chunk), "modifier" if is_list else "keyword", CANARY))
        text, first = config_for(b, lines)
        diags = runner.run(text)
        canary = signature(diags, first + len(chunk), CANARY)
        skipped = None
        by_hand = BY_HAND.get(b.path())
        if canary and by_hand is not None:
            failures.append(f"{b.path()}: holdfastd now reports a made-up word there; "
                            "remove the block from BY_HAND")
        if not canary and by_hand is not None:
            for kind, word, src in chunk:
                known = word in by_hand
                if not known:
                    failures.append(f"{b.path()}: {kind} '{word}' (keepalived.conf(5) line "
                                    f"{src}) is not among the words checked by hand")
                rows.append((kind, word, "implemented (checked by hand: holdfastd takes an "
                             "unknown word there for an item)" if known else "UNKNOWN",
                             not known))
            continue
        if not canary:
            # Nothing said about a made-up keyword: the block must be inside one that
            # holdfast skips whole, and that keyword must have drawn "no effect".
            skipped = next((m for line, _c, _s, m in diags
                            if line < first and "no effect" in m), None)
            if skipped is None:
                failures.append(f"{b.path()}: holdfastd says nothing about a made-up "
                                "keyword there, and the block is not skipped: the test "
                                "cannot judge (were more than 100 errors reported?)\n"
                                + text + "\n".join(f"{d}" for d in diags))
                return rows, failures
        for i, (kind, word, src) in enumerate(chunk):
            at = first + i
            if canary and signature(diags, at, word) & canary:
                failures.append(f"{b.path()}: {kind} '{word}' (keepalived.conf(5) line "
                                f"{src}) is unknown to holdfastd")
                rows.append((kind, word, "UNKNOWN", True))
            elif skipped:
                outer = re.search(r"'([^']+)'", skipped)
                rows.append((kind, word, "no effect: inside '" + outer.group(1) +
                             "', which holdfast skips", False))
            else:
                ne = no_effect(diags, at, word)
                rows.append((kind, word, "no effect: " + ne if ne else "implemented", False))
    return rows, failures


def main():
    if len(sys.argv) not in (3, 4):
        sys.exit(__doc__)
    holdfastd, manpage = sys.argv[1], sys.argv[2]
    census_out = sys.argv[3] if len(sys.argv) == 4 else None
    root, blocks = extract(read_man(manpage))
    used = classify(root, blocks)
    failures = []
    unused = set(EXCLUDED) - used
    if unused:
        failures.append(f"exclusion list entries the man page no longer needs: {sorted(unused)}")

    census = []
    distinct = set()
    counted = 0
    total = 0
    unknown_total = 0
    print(f"keywords keepalived.conf(5) documents ({manpage}), per block:")
    with tempfile.TemporaryDirectory(prefix="holdfast-census.") as tmp:
        runner = Runner(holdfastd, tmp)
        for key in sorted(blocks, key=lambda k: (len(k) > 0, k)):
            b = blocks[key]
            if not b.keywords and not b.modifiers:
                continue
            rows, fails = census_of_block(runner, blocks, b)
            failures += fails
            kws = sum(1 for r in rows if r[0] == "keyword")
            mods = len(rows) - kws
            unknown = [r[1] for r in rows if r[3]]
            counted += 1
            total += len(rows)
            unknown_total += len(unknown)
            census += [(b.path(), kind, word, status) for kind, word, status, _ in rows]
            distinct.update(r[1] for r in rows)
            what = f"{kws} keywords" + (f", {mods} item modifiers" if mods else "")
            print(f"  {b.path():42} {what}" + (f"; UNKNOWN: {' '.join(unknown)}" if unknown else ""))
    print(f"total: {total} keywords in {counted} blocks ({len(distinct)} distinct words); "
          f"unknown to holdfastd: {unknown_total}")
    print("excluded (not keywords): " + "; ".join(f"{w}: {why}" for w, why in EXCLUDED.items()))
    if total < 250:
        failures.append(f"only {total} keywords extracted; keepalived 2.2.7 documents about 300: "
                        "has the man page's layout changed?")

    if census_out:
        with open(census_out, "w") as f:
            f.write(f"# keepalived.conf(5) ({manpage}): every keyword and its status in holdfast\n")
            f.write("# block\tkind\tkeyword\tstatus\n")
            for row in census:
                f.write("\t".join(row) + "\n")
        print(f"census written to {census_out}")

    for msg in failures:
        print("FAIL: " + msg, file=sys.stderr)
    if failures:
        sys.exit(1)
    print("PASS keyword census")


if __name__ == "__main__":
    main()
