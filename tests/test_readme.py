"""The README's samples run as written, and print what the README says they print.

Every ```python block runs, in order, in one fresh interpreter at the repository root (later
blocks may use earlier names, as in a notebook); a ```text block right after a Python block is
the output that block must print, with the shipped model. A ```console block (`$ stance ...`
and its output) is run and compared the same way, and every shell command of the ```bash
blocks but install, training and Ray runs in a fresh folder. After a model change,
`python tests/test_readme.py --update` rewrites the outputs with what the samples print now
(read the diff: the prose around them may need the same change)."""
import re
import subprocess
import sys

from conftest import ROOT

BLOCK = re.compile(r"```python\n(.*?)```(?:\n+```text\n(.*?)```)?", re.S)
SEP = "\n---stance-readme-block---\n"


def readme_blocks():
    return [(code, expected) for code, expected in BLOCK.findall((ROOT / "README.md").read_text(encoding="utf-8"))]


def run_blocks(blocks):
    """What each block prints, run in order in one fresh interpreter."""
    runner = "".join(f"exec(compile({code!r}, 'README block {k}', 'exec'))\nprint({SEP!r}, end='')\n"
                     for k, (code, _) in enumerate(blocks))
    res = subprocess.run([sys.executable, "-c", runner], capture_output=True, text=True, cwd=ROOT, timeout=600,
                         env={**__import__("os").environ, "PYTHONPATH": str(ROOT)})
    assert res.returncode == 0, res.stderr[-3000:]
    return res.stdout.split(SEP)[: len(blocks)]


def test_readme_python_blocks_print_what_the_readme_says():
    blocks = readme_blocks()
    assert len(blocks) >= 3 and sum(1 for _, out in blocks if out) >= 3
    printed = run_blocks(blocks)
    for k, ((code, expected), got) in enumerate(zip(blocks, printed)):
        if expected:
            assert got == expected, f"README block {k} printed:\n{got}\nbut the README says:\n{expected}"


def update_readme() -> None:
    """Rewrite each expected-output block with what its sample prints now."""
    readme = ROOT / "README.md"
    text = readme.read_text(encoding="utf-8")
    printed = iter(run_blocks(readme_blocks()))

    def swap(m: re.Match) -> str:
        got = next(printed)  # one per Python block, in order, whether or not it shows its output
        if m.group(2) is None:
            return m.group(0)
        a, b = m.start(2) - m.start(0), m.end(2) - m.start(0)
        return m.group(0)[:a] + got + m.group(0)[b:]

    text = BLOCK.sub(swap, text)
    text = CONSOLE.sub(lambda m: f"```console\n$ {m.group(1)}\n{run_console(m.group(1), ROOT)}```", text)
    readme.write_text(text, encoding="utf-8")


CONSOLE = re.compile(r"```console\n\$ (stance [^\n]*)\n(.*?)```", re.S)


def run_console(command: str, cwd) -> str:
    """What a `$ stance ...` line of the README prints, run from the repository root."""
    res = subprocess.run([sys.executable, "-m", *command.split()[0:1], *command.split()[1:]], capture_output=True,
                         text=True, cwd=cwd, timeout=600, env={**__import__("os").environ, "PYTHONPATH": str(ROOT)})
    assert res.returncode == 0, res.stderr[-2000:]
    return res.stdout


def test_readme_console_output_is_what_the_command_prints():
    blocks = CONSOLE.findall((ROOT / "README.md").read_text(encoding="utf-8"))
    assert blocks
    for command, shown in blocks:
        assert run_console(command, ROOT) == shown, f"README: `{command}` prints something else now"


BASH = re.compile(r"```bash\n(.*?)```", re.S)
# not run here: installing and the test suite (the set-up itself), training (a script of an hour),
# and the Ray engine (its own tests in test_batch.py compare it with the local job)
NOT_RUN = ("pip install", "python -m training.", "--engine ray")


def readme_commands() -> list[str]:
    lines = [ln.split("  #")[0].strip() for block in BASH.findall((ROOT / "README.md").read_text(encoding="utf-8"))
             for ln in block.splitlines()]
    return [ln for ln in lines if ln and not any(skip in ln for skip in NOT_RUN)]


def test_readme_commands_run_as_written(tmp_path):
    # in order, in a fresh folder that holds what a clone holds (the examples, the shipped labels)
    commands = readme_commands()
    assert sum(ln.startswith("stance ") for ln in commands) >= 8
    for name in ("examples", "training", "models"):
        (tmp_path / name).symlink_to(ROOT / name)
    stance = f"{sys.executable} -m stance"
    env = {**__import__("os").environ, "PYTHONPATH": str(ROOT)}
    for line in commands:
        cmd = re.sub(r"(^|\| |&& )stance ", lambda m: f"{m.group(1)}{stance} ", line)
        res = subprocess.run(["bash", "-o", "pipefail", "-c", cmd], capture_output=True, text=True, cwd=tmp_path,
                             env=env, timeout=600)
        assert res.returncode == 0, f"README command failed: {line}\n{res.stderr[-2000:]}"
        for out in re.findall(r"-o (\S+)", line):
            assert (tmp_path / out).stat().st_size > 0, f"{line}: wrote nothing to {out}"


if __name__ == "__main__" and sys.argv[1:] == ["--update"]:
    update_readme()
