"""The README's Python samples run as written, and print what the README says they print.

Every ```python block runs, in order, in one fresh interpreter at the repository root (later
blocks may use earlier names, as in a notebook); a ```text block right after a Python block is
the output that block must print, with the shipped model."""
import re
import subprocess
import sys

from conftest import ROOT

BLOCK = re.compile(r"```python\n(.*?)```(?:\n+```text\n(.*?)```)?", re.S)
SEP = "\n---stance-readme-block---\n"


def readme_blocks():
    return [(code, expected) for code, expected in BLOCK.findall((ROOT / "README.md").read_text(encoding="utf-8"))]


def test_readme_python_blocks_print_what_the_readme_says(tmp_path):
    blocks = readme_blocks()
    assert len(blocks) >= 3 and sum(1 for _, out in blocks if out) >= 3
    runner = "".join(f"exec(compile({code!r}, 'README block {k}', 'exec'))\nprint({SEP!r}, end='')\n"
                     for k, (code, _) in enumerate(blocks))
    res = subprocess.run([sys.executable, "-c", runner], capture_output=True, text=True, cwd=ROOT, timeout=600,
                         env={**__import__("os").environ, "PYTHONPATH": str(ROOT)})
    assert res.returncode == 0, res.stderr[-3000:]
    printed = res.stdout.split(SEP)[: len(blocks)]
    for k, ((code, expected), got) in enumerate(zip(blocks, printed)):
        if expected:
            assert got == expected, f"README block {k} printed:\n{got}\nbut the README says:\n{expected}"
