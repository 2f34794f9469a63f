"""Writing a study's or benchmark's results file (Markdown lines), its folder made where missing."""
from __future__ import annotations

import os
from typing import List


def write_results(path: str, lines: List[str]) -> None:
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    with open(path, "w", encoding="utf-8") as handle:
        handle.write("\n".join(lines) + "\n")
