#!/usr/bin/env python3
"""Writes mutated copies of a config, for the reload fuzz lab test.

  config_mutate.py GOOD.conf OUT.conf SEED
Writes one mutation of GOOD.conf (chosen and shaped by SEED) to OUT.conf and
prints its kind. Standard library only."""
import random
import sys

good_path, out_path, seed = sys.argv[1], sys.argv[2], int(sys.argv[3])
rng = random.Random(seed)
text = open(good_path).read()
lines = text.split("\n")
tokens = text.split()


def pick_line():
    return rng.randrange(len(lines))


def drop_token():
    i = rng.randrange(len(tokens))
    return " ".join(tokens[:i] + tokens[i + 1:])


def mutations():
    return {
        "drop_token": drop_token,
        "drop_line": lambda: "\n".join(l for j, l in enumerate(lines) if j != pick_line()),
        "duplicate_line": lambda: "\n".join(
            lines[: (k := pick_line()) + 1] + [lines[k]] + lines[k + 1:]),
        "unbalanced_brace": lambda: text.replace("}", "", 1) if rng.random() < 0.5 else "{\n" + text,
        "out_of_range": lambda: text.replace("priority 150", "priority %d" % rng.choice([0, 256, -1, 99999])),
        "bad_vrid": lambda: text.replace("virtual_router_id 51", "virtual_router_id %d" % rng.choice([0, 256, 1000])),
        "unknown_keyword": lambda: "\n".join(
            lines[: (k := pick_line())] + ["    frobnicate %d" % rng.randrange(100)] + lines[k:]),
        "typographic_quotes": lambda: text.replace("/health", "\u201c/health\u201d"),
        "garbage_bytes": lambda: text[: (k := rng.randrange(len(text)))] +
        "".join(chr(rng.randrange(1, 255)) for _ in range(rng.randint(1, 40))) + text[k:],
        "truncated": lambda: text[: rng.randrange(1, len(text))],
        "long_line": lambda: text + "\n# " + "x" * rng.randint(10000, 200000) + "\n" + "priority",
        "bad_address": lambda: text.replace("192.0.2.100/24", "192.0.2.300/24"),
        "bad_duration": lambda: text.replace("interval 200ms", "interval %s" % rng.choice(["0", "-1s", "fast", "1x"])),
        "missing_interface": lambda: text.replace("interface eth0", "interface nosuch0"),
    }


kinds = mutations()
kind = rng.choice(sorted(kinds))
mutated = kinds[kind]()
with open(out_path, "w", encoding="utf-8", errors="surrogateescape") as f:
    f.write(mutated)
print(kind)
