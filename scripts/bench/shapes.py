"""Benchmark tables of realistic shapes, generated reproducibly.

    python scripts/bench/shapes.py OUTDIR [small wide tall big]

writes OUTDIR/<shape>.csv (and prints one line per shape: name, rows,
columns, features after one-hot, positive share). The same seed always
gives the same bytes (numpy's PCG64 Generator streams are stable).

small is the real diabetes.csv (768 x 8, 35% positive), copied. The others
are synthetic tables shaped like the public data users bring: numeric columns
driven by a few shared latent factors (correlated, as measurements of one
thing are) plus independent noise columns, some skewed (log-normal), some
integer counts (ties and repeated values), a few missing values, categorical
columns with skewed level frequencies, and a binary target from a noisy
nonlinear score thresholded to the wanted share of positives:

  wide  10,000 x 32 -> 500 features after one-hot (20 numeric, 12 categorical
        of 40 levels), 15% positive
  tall  250,000 x 10 (9 numeric, 1 categorical of 4 levels), 12% positive
  big   1,000,000 x 30 (26 numeric, 4 categorical of 3-5 levels), 20% positive
"""
import os
import shutil
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
SAMPLE = os.path.join(HERE, "..", "..", "pkg", "dataset", "samples", "diabetes.csv")

# name: rows, numeric columns, categorical levels, positive share, seed
SHAPES = {
    "wide": (10_000, 20, [40] * 12, 0.15, 101),
    "tall": (250_000, 9, [4], 0.12, 102),
    "big": (1_000_000, 26, [3, 4, 5, 4], 0.20, 103),
}


def generate(rows, n_num, levels, positive, seed):
    """Returns (column names, list of column arrays as strings-or-floats, y)."""
    rng = np.random.default_rng(seed)
    n_latent = 4
    z = rng.standard_normal((rows, n_latent))
    cols, names = [], []
    for j in range(n_num):
        kind = j % 5
        if j >= n_num - max(1, n_num // 5):
            v = rng.standard_normal(rows)  # pure noise columns
        else:
            w = rng.standard_normal(n_latent)
            v = z @ w / np.sqrt(n_latent) + 0.5 * rng.standard_normal(rows)
        if kind == 1:
            v = np.round(np.exp(0.6 * v), 4)  # skewed, positive
        elif kind == 2:
            v = np.round(np.clip(3 + 2 * v, 0, None))  # counts: many ties
        elif kind == 3:
            v = np.round(50 + 10 * v, 1)  # one decimal, like a lab value
        else:
            v = np.round(v, 4)
        if j % 4 == 0:
            v = v.astype(float)
            v[rng.random(rows) < 0.01] = np.nan  # a few missing values
        cols.append(v)
        names.append(f"x{j:02d}")
    cat_codes = []
    for c, k in enumerate(levels):
        # Level frequencies fall off like real categories (Zipf-ish), and the
        # level depends a little on the first latent factor.
        p = 1.0 / np.arange(1, k + 1) ** 0.8
        p /= p.sum()
        u = rng.random(rows)
        shift = 0.15 * np.tanh(z[:, c % n_latent])
        u = np.clip(u + shift * 0.5, 0, 1 - 1e-12)
        code = np.searchsorted(np.cumsum(p), u)
        code = np.minimum(code, k - 1)
        cat_codes.append(code)
        cols.append(np.array([f"c{c}_{i}" for i in range(k)], dtype=object)[code])
        names.append(f"cat{c:02d}")
    # Target: a nonlinear score of the latent factors and some columns.
    score = (
        1.2 * z[:, 0]
        - 0.8 * z[:, 1] ** 2
        + 0.6 * np.sin(2 * z[:, 2])
        + 0.5 * z[:, 0] * z[:, 3]
        + 0.3 * np.where(np.isnan(cols[0]), 0, cols[0])
    )
    for c, code in enumerate(cat_codes):
        effect = rng.normal(0, 0.4, size=levels[c])
        score = score + effect[code]
    score = score + 1.0 * rng.standard_normal(rows)
    threshold = np.quantile(score, 1 - positive)
    y = (score > threshold).astype(int)
    return names, cols, y


def write_csv(path, names, cols, y):
    import pandas as pd

    df = pd.DataFrame({n: c for n, c in zip(names, cols)})
    df["target"] = y
    df.to_csv(path, index=False, float_format="%.10g")
    return df


def main():
    out = sys.argv[1]
    wanted = sys.argv[2:] or ["small", "wide", "tall", "big"]
    os.makedirs(out, exist_ok=True)
    for name in wanted:
        path = os.path.join(out, name + ".csv")
        if name == "small":
            shutil.copyfile(SAMPLE, path)
            print(f"small rows=768 columns=8 features=8 positive=0.349")
            continue
        rows, n_num, levels, positive, seed = SHAPES[name]
        names, cols, y = generate(rows, n_num, levels, positive, seed)
        write_csv(path, names, cols, y)
        print(f"{name} rows={rows} columns={len(names)} features={n_num + sum(levels)} positive={y.mean():.3f}")


if __name__ == "__main__":
    main()
