#!/usr/bin/env python3
"""Regenerate tinygrad_edu/minigpt_words.txt: 300 seeded, pronounceable made-up names.

A name is 2 or 3 syllables (consonant cluster + vowel, sometimes a closing consonant), at most
8 letters, all distinct. ``python benchmarks/make_words.py`` rewrites the file; the output is
the same on every run (seed 2026).
"""

from __future__ import annotations

import random
import sys
from pathlib import Path

ONSETS = [
    "b",
    "c",
    "d",
    "f",
    "g",
    "h",
    "j",
    "k",
    "l",
    "m",
    "n",
    "p",
    "r",
    "s",
    "t",
    "v",
    "w",
    "y",
    "z",
    "br",
    "cl",
    "dr",
    "fl",
    "gr",
    "kr",
    "pl",
    "st",
    "tr",
    "sh",
    "ch",
    "th",
]
VOWELS = ["a", "e", "i", "o", "u", "a", "e", "i", "o", "y", "ai", "ea", "ie", "io"]
CODAS = ["n", "l", "r", "s", "m", "x", "th"]
COUNT = 300
SEED = 2026


def name(rng: random.Random) -> str:
    parts = []
    for _ in range(rng.choice((2, 2, 3))):
        parts.append(rng.choice(ONSETS) if rng.random() < 0.85 else "")
        parts.append(rng.choice(VOWELS))
    if rng.random() < 0.4:
        parts.append(rng.choice(CODAS))
    return "".join(parts)


def main() -> int:
    rng = random.Random(SEED)
    names: list[str] = []
    seen: set[str] = set()
    while len(names) < COUNT:
        n = name(rng)
        if 3 <= len(n) <= 8 and n not in seen:
            seen.add(n)
            names.append(n)
    path = Path(__file__).resolve().parent.parent / "tinygrad_edu" / "minigpt_words.txt"
    path.write_text("\n".join(names) + "\n", encoding="utf-8")
    print(f"wrote {len(names)} names to {path}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
