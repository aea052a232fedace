"""How `stance report` scales: the example article's labelled quotes repeated to 10,000 and
100,000 quotes (varied speakers, outlets, months), report built from Parquet. Prints seconds,
quotes per second and the ratio of the per-quote time at 100,000 to that at 10,000 (1.0: linear),
beside a reference measured in the same run: pandas reading the same Parquet file.

    python benchmarks/report_speed.py
"""
from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from stance.report import build_report, load_results  # noqa: E402


def synthetic(base: pd.DataFrame, n_quotes: int) -> pd.DataFrame:
    """base's quotes repeated n_quotes // len(quotes) times as different articles."""
    base = base.drop(columns=["quote_key"])
    per_article = base["quote_id"].nunique()
    copies = -(-n_quotes // per_article)
    df = pd.concat([base] * copies, ignore_index=True)
    art = np.repeat(np.arange(copies), len(base))
    rng = np.random.default_rng(0)
    df["article_id"] = pd.Series(art).map("a{}".format)
    df["speaker"] = df["speaker"] + " " + pd.Series(rng.integers(0, 40, len(df))).astype(str)
    df["outlet"] = pd.Series(art % 12).map("outlet {}".format)
    df["date"] = pd.Series(art % 12 + 1).map("2024-{:02d}-15".format)
    return df


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        labels = tmp / "labels.jsonl"
        subprocess.run([sys.executable, "-m", "stance", "analyze", str(ROOT / "examples" / "article.txt"), "-o",
                        str(labels), "--quiet"], check=True, cwd=ROOT)
        base = load_results([labels])
        per_quote = {}
        for n in (10_000, 100_000):
            path = tmp / f"r{n}.parquet"
            synthetic(base, n).to_parquet(path)
            t0 = time.perf_counter()
            pd.read_parquet(path)
            ref = time.perf_counter() - t0
            t0 = time.perf_counter()
            page = build_report(load_results([path]))
            secs = time.perf_counter() - t0
            per_quote[n] = secs / n
            print(f"{n:>7,} quotes: report {secs:6.1f} s ({n / secs:,.0f} quotes/s, {len(page) / 1e6:.1f} MB of HTML); "
                  f"reading the Parquet alone {ref:.2f} s ({secs / ref:.0f}x)")
        print(f"time per quote at 100,000 / at 10,000: {per_quote[100_000] / per_quote[10_000]:.2f} (1.00 = linear)")


if __name__ == "__main__":
    main()
