package experiment

import (
	"context"
	"io"
	"slices"
	"sync"

	"github.com/mlstack/mlstack/pkg/boost"
	"github.com/mlstack/mlstack/pkg/clean"
	"github.com/mlstack/mlstack/pkg/cv"
	"github.com/mlstack/mlstack/pkg/frame"
	"github.com/mlstack/mlstack/pkg/metrics"
	"github.com/mlstack/mlstack/pkg/mlflow"
	"github.com/mlstack/mlstack/pkg/model"
)

// Trainer runs one kind of experiment.
type Trainer interface {
	// Validate checks the trainer's part of a config (model.params,
	// metrics.names, ...), returning a *FieldError to point at a key.
	Validate(c *Config) error
	// Train cross-validates and fits the final model on job.Data, writing
	// its model files under job.Out.
	Train(ctx context.Context, job *Job) (*Outcome, error)
}

// Job is what a trainer gets.
type Job struct {
	Config *Config
	Data   *frame.Frame // the data as read (before cleaning)
	// NewPipeline returns a fresh, unfitted cleaning pipeline of the config;
	// fit one per fold.
	NewPipeline func() *clean.Pipeline
	Out         string // output directory
	// Progress reports finished folds; never nil.
	Progress func(done, total int)
	// Log receives human-readable notes (the terminal); never nil.
	Log io.Writer
}

// Outcome is what a trainer returns.
type Outcome struct {
	// Summary holds per-fold scores and their aggregates (metrics.json).
	Summary *metrics.Summary
	// CV is the cross-validation result (out-of-fold predictions).
	CV *cv.Result
	// Pipeline is the cleaning pipeline fitted on all the data.
	Pipeline *clean.Pipeline
	// Schema maps cleaned columns to model features and labels to classes.
	Schema *frame.Schema
	// Model is the MLflow model to log (nil: none): Bundle in MLflow's
	// format, for boosted trees.
	Model *mlflow.XGBoostModel
	// Bundle is the final model (nil for trainers that do not make one):
	// the pipeline, schema and booster fitted on all the data, saved in
	// ModelDir.
	Bundle *model.Model
	// Curves is the booster of the first fold, trained with its training
	// and test rows as evaluation sets: its History is the learning curves
	// (nil with charts off).
	Curves *boost.Model
	// ModelDir is the directory (under Out) holding the model files.
	ModelDir string
	// Params are extra values to log as params (e.g. n_features).
	Params map[string]string
	// Charts are the rendered charts (name → files), logged under charts/.
	ChartsDir string
	// History holds per-step metrics (e.g. per-epoch losses), logged as
	// NAME with step = index+1.
	History map[string][]float64
	// Metrics are single values logged as metrics (e.g. best_epoch).
	Metrics map[string]float64
}

// ownDataTrainer is implemented by trainers that read their own data (an
// image dataset, say): Run then skips the tabular LoadData and the
// data.target check, and Job.Data is nil.
type ownDataTrainer interface{ ownData() bool }

func readsOwnData(t Trainer) bool {
	o, ok := t.(ownDataTrainer)
	return ok && o.ownData()
}

// Factory makes a trainer.
type Factory func() Trainer

var (
	regMu    sync.RWMutex
	registry = map[string]Factory{}
)

// Register makes a trainer available under name. It panics if name is
// taken, since that is a programming error.
func Register(name string, f Factory) {
	regMu.Lock()
	defer regMu.Unlock()
	if _, dup := registry[name]; dup {
		panic("experiment: trainer " + name + " registered twice")
	}
	registry[name] = f
}

// Trainers lists the registered trainer names, sorted.
func Trainers() []string {
	regMu.RLock()
	defer regMu.RUnlock()
	var names []string
	for n := range registry {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

func lookup(name string) (Trainer, bool) {
	regMu.RLock()
	f, ok := registry[name]
	regMu.RUnlock()
	if !ok {
		return nil, false
	}
	return f(), true
}
