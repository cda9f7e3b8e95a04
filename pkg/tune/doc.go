// Package tune is hyperparameter search: a search space of named
// parameters (Float, Int, Categorical, with log-uniform ranges and steps
// as Optuna's distributions), a Study that hands out trials and records
// their results, samplers (TPE, Random, Grid) and a median pruner.
//
//	space := tune.Space{
//		{Name: "eta", Dist: tune.Float{Low: 1e-3, High: 0.3, Log: true}},
//		{Name: "max_depth", Dist: tune.Int{Low: 2, High: 10}},
//	}
//	study, err := tune.NewStudy(space, tune.Maximize, tune.NewTPE(42), tune.NewMedian())
//	t, err := study.Ask()
//	for fold := range folds {
//		if prune, _ := study.Report(t.Number, fold, runningMean); prune {
//			study.Tell(t.Number, tune.Outcome{State: tune.Pruned})
//		}
//	}
//	study.Tell(t.Number, tune.Outcome{State: tune.Complete, Value: score})
//
// # Rules
//
// The words are Optuna's and mean what they mean there: a trial is
// RUNNING, COMPLETE, PRUNED or FAIL; a NaN or infinite objective fails
// the trial; the best trial is the best COMPLETE one. TPE follows Optuna
// 5's TPESampler defaults (multivariate, constant liar, 10 startup
// trials, 24 candidates, γ(n) = min(⌈0.1n⌉, 25), prior weight 1, magic
// clip, no endpoints) and Median its MedianPruner (5 startup trials, no
// warm-up, interval 1). Parity tests check the Parzen estimator's
// densities and the pruner's decisions against Optuna itself; the
// sampled sequences differ because the random generators differ.
//
// A Study is safe for concurrent use; samplers are called under its lock
// and see every trial so far, running ones included, so trials can run
// on many goroutines or machines (Ask, then Report/Tell from wherever
// the trial runs). Restore replays recorded trials into a new study, so a
// restarted coordinator resumes a search without rerunning them.
//
// Nothing here does I/O; running trials, logging them and sharing them
// across machines is the caller's.
package tune
