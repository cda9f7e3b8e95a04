"""The seed experiment in Python, written as a data scientist writes it:
pandas (zeros as missing where the data says so, one-hot encoding of the
text columns with get_dummies), then an imbalanced-learn Pipeline (median
imputation -> SMOTE -> XGBClassifier using every core) cross-validated fold
after fold with RepeatedStratifiedKFold, seven metrics with 95% Student-t
intervals, and the final model fitted on all rows and saved.

    python pipeline.py CSV TARGET N_SPLITS N_REPEATS THREADS [ZERO_AS_MISSING_COLUMNS]

Metrics go to stderr; the last line of stdout is the wall time in seconds
(start-up and reading the CSV included)."""
import os, sys, tempfile, time

t0 = time.perf_counter()
import numpy as np
import pandas as pd
from scipy import stats
from sklearn.impute import SimpleImputer
from sklearn.model_selection import RepeatedStratifiedKFold, cross_validate
from imblearn.over_sampling import SMOTE
from imblearn.pipeline import Pipeline
from xgboost import XGBClassifier

path, target = sys.argv[1], sys.argv[2]
n_splits, n_repeats, threads = int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
zero_missing = [c for c in (sys.argv[6] if len(sys.argv) > 6 else "").split(",") if c]

df = pd.read_csv(path)
for col in zero_missing:
    df[col] = df[col].replace(0, np.nan)
X, y = df.drop(columns=target), df[target]
text = [c for c in X.columns if not pd.api.types.is_numeric_dtype(X[c])]
if text:
    X = pd.get_dummies(X, columns=text, dtype=float)
pipe = Pipeline([
    ("impute", SimpleImputer(strategy="median")),
    ("smote", SMOTE(k_neighbors=5, random_state=42)),
    ("model", XGBClassifier(n_estimators=100, max_depth=4, learning_rate=0.1, subsample=0.9,
                            colsample_bytree=0.9, tree_method="hist", n_jobs=threads, random_state=42)),
])
cvs = RepeatedStratifiedKFold(n_splits=n_splits, n_repeats=n_repeats, random_state=42)
scores = cross_validate(pipe, X, y, cv=cvs,
                        scoring=["accuracy", "precision", "recall", "f1", "roc_auc", "average_precision", "neg_log_loss"])
for name, v in scores.items():
    if name.startswith("test_"):
        m, s = v.mean(), v.std(ddof=1)
        h = stats.t.ppf(0.975, len(v) - 1) * s / np.sqrt(len(v))
        print(f"{name[5:]:>20} {m:.4f} [{m-h:.4f}, {m+h:.4f}]", file=sys.stderr)
pipe.fit(X, y)
with tempfile.TemporaryDirectory() as d:  # the model is saved, as the seed does, then dropped
    pipe.named_steps["model"].save_model(os.path.join(d, "model.json"))
print(f"{time.perf_counter() - t0:.3f}")
