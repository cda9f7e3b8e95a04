"""The seed experiment in Python, as the seed notebook runs it: pandas, then
an imbalanced-learn Pipeline (median imputation -> SMOTE -> XGBClassifier)
cross-validated with RepeatedStratifiedKFold(5 x 10), metrics with 95%
Student-t intervals. Prints the wall time in seconds on the last line."""
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

path, jobs = sys.argv[1], int(sys.argv[2])
df = pd.read_csv(path)
for col in ["Glucose", "BloodPressure", "SkinThickness", "Insulin", "BMI"]:
    df[col] = df[col].replace(0, np.nan)
X, y = df.drop(columns="Outcome"), df["Outcome"]
pipe = Pipeline([
    ("impute", SimpleImputer(strategy="median")),
    ("smote", SMOTE(k_neighbors=5, random_state=42)),
    ("model", XGBClassifier(n_estimators=100, max_depth=4, learning_rate=0.1, subsample=0.9,
                            colsample_bytree=0.9, tree_method="hist", n_jobs=1, random_state=42)),
])
cvs = RepeatedStratifiedKFold(n_splits=5, n_repeats=10, random_state=42)
scores = cross_validate(pipe, X, y, cv=cvs, n_jobs=jobs,
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
