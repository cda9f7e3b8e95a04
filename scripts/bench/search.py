"""The Python peer of `make bench-search`: Optuna's TPE over the same five
xgboost parameters as configs/search.yaml, each trial scored by 5-fold
stratified cross-validation (scikit-learn's cross_val_score, folds on all
cores), as a data scientist writes it.

    python search.py data CSV            write the seeded 10,000 x 30 table
    python search.py run CSV N_TRIALS    run the search, print one JSON line
"""

import json
import os
import sys
import time


def write_data(path):
    import pandas as pd
    from sklearn.datasets import make_classification

    X, y = make_classification(
        n_samples=10_000, n_features=30, n_informative=10, n_redundant=6,
        weights=[0.85], flip_y=0.03, class_sep=0.8, random_state=7,
    )
    df = pd.DataFrame(X, columns=[f"f{i:02d}" for i in range(X.shape[1])]).round(6)
    df["label"] = y
    df.to_csv(path, index=False)


def run(path, n_trials):
    t0 = time.perf_counter()
    import optuna
    import pandas as pd
    from sklearn.model_selection import StratifiedKFold, cross_val_score
    from xgboost import XGBClassifier

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    df = pd.read_csv(path)
    X, y = df.drop(columns="label"), df["label"]
    cv = StratifiedKFold(n_splits=5, shuffle=True, random_state=42)

    def objective(trial):
        model = XGBClassifier(
            n_estimators=100,
            tree_method="hist",
            n_jobs=1,
            learning_rate=trial.suggest_float("eta", 0.01, 0.3, log=True),
            max_depth=trial.suggest_int("max_depth", 2, 10),
            subsample=trial.suggest_float("subsample", 0.5, 1.0),
            colsample_bytree=trial.suggest_float("colsample_bytree", 0.5, 1.0),
            min_child_weight=trial.suggest_float("min_child_weight", 0.5, 20, log=True),
        )
        return cross_val_score(model, X, y, cv=cv, scoring="roc_auc", n_jobs=os.cpu_count()).mean()

    study = optuna.create_study(direction="maximize", sampler=optuna.samplers.TPESampler(seed=42))
    study.optimize(objective, n_trials=n_trials)
    print(json.dumps({"seconds": time.perf_counter() - t0, "best": study.best_value,
                      "best_params": study.best_params}))


if __name__ == "__main__":
    if sys.argv[1] == "data":
        write_data(sys.argv[2])
    else:
        run(sys.argv[2], int(sys.argv[3]))
