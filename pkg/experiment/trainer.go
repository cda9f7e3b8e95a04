package experiment

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/mlstack/mlstack/pkg/boost"
	"github.com/mlstack/mlstack/pkg/clean"
	"github.com/mlstack/mlstack/pkg/cv"
	"github.com/mlstack/mlstack/pkg/experiment/config"
	"github.com/mlstack/mlstack/pkg/frame"
	"github.com/mlstack/mlstack/pkg/metrics"
	"github.com/mlstack/mlstack/pkg/mlflow"
	"github.com/mlstack/mlstack/pkg/model"
)

// Trainer runs one kind of experiment.
type Trainer interface {
	// Validate checks the trainer's part of a config (model.params,
	// metrics.names, ...): decode model.params with c.Model.Params.Decode
	// (its errors are located already), and return a *config.FieldError
	// to point at another key.
	Validate(c *config.Config) error
	// Train cross-validates and fits the final model on job.Data, writing
	// its model files under job.Out.
	Train(ctx context.Context, job *Job) (*Outcome, error)
}

// Scorer is implemented by trainers a search (the config's search
// section) can tune: Score cross-validates job.Config like Train, the
// folds one after another on threads cores, and calls report with the
// summary of the folds so far after each fold; when report returns true
// it stops and returns tune.ErrPruned. It fits no final model and writes
// nothing.
type Scorer interface {
	Score(ctx context.Context, job *Job, threads int, report func(*metrics.Summary) (stop bool)) (*metrics.Summary, error)
}

// OwnData is implemented by trainers that read their own data (an image
// dataset, say) when OwnData returns true: Run then skips the tabular
// LoadData and the data.target check, and Job.Data is nil.
type OwnData interface{ OwnData() bool }

// DataChecker is implemented by trainers that check the data against the
// config before a run is opened, so that a contradiction (labels that are
// not classes, say) is a config error and nothing is logged. Problems the
// trainer finds later are left to Train.
type DataChecker interface {
	CheckData(c *config.Config, data *frame.Frame) error
}

// Balancer is implemented by trainers whose target is classes: the plan
// and the run's summary say the classes, their counts and which one is
// positive, and a run logs the positive class as the param data.positive.
// Balance checks the data as CheckData does (a trainer that is both is
// asked Balance only), with the same errors.
type Balancer interface {
	Balance(c *config.Config, data *frame.Frame) (*Balance, error)
}

// Balance is the classes of a target and their counts, in label order
// (label i is Classes[i]).
type Balance struct {
	Classes []string
	Counts  []int
	// Positive is the class labelled 1 of a binary target ("" for more
	// classes), and Rule says why: "data.positive", or the default rule
	// that chose it.
	Positive, Rule string
}

// String says the balance in a line: "positive class Yes (1869 of 7043
// rows), negative No (5174); data.positive", or the counts of each class.
func (b *Balance) String() string {
	total := 0
	for _, n := range b.Counts {
		total += n
	}
	if pos := slices.Index(b.Classes, b.Positive); b.Positive != "" && len(b.Classes) == 2 && pos >= 0 {
		neg := 1 - pos
		return fmt.Sprintf("positive class %s (%d of %d rows, %.1f%%), negative %s (%d); %s",
			b.Positive, b.Counts[1-neg], total, 100*float64(b.Counts[1-neg])/float64(max(total, 1)), b.Classes[neg], b.Counts[neg], b.Rule)
	}
	parts := make([]string, len(b.Classes))
	for i, c := range b.Classes {
		parts[i] = fmt.Sprintf("%s %d", c, b.Counts[i])
	}
	return fmt.Sprintf("classes (of %d rows): %s", total, strings.Join(parts, ", "))
}

func readsOwnData(t Trainer) bool {
	o, ok := t.(OwnData)
	return ok && o.OwnData()
}

// Job is what a trainer gets.
type Job struct {
	Config *config.Config
	Data   *frame.Frame // the data after the dataset-level steps (prepare:), before cleaning
	// Lines are the data file line of each row of Data (nil when the data
	// did not come from a file): errors about a row name its line.
	Lines []int
	// NewPipeline returns a fresh, unfitted cleaning pipeline of the config;
	// fit one per fold.
	NewPipeline func() *clean.Pipeline
	Out         string // output directory
	// Progress reports finished steps (folds, epochs); never nil.
	Progress func(done, total int)
	// Notef tells the user something, a line (no newline); never nil.
	Notef func(format string, args ...any)
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

// Factory makes a trainer.
type Factory func() Trainer

var (
	regMu    sync.RWMutex
	registry = map[string]Factory{}
)

// Register makes a trainer available under name; a trainer package calls
// it from its init function, so importing the package is what makes the
// trainer available. It panics if name is taken, since that is a
// programming error.
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

// LoadFile reads a config file and checks it (see Parse).
func LoadFile(path string, o *config.Options) (*config.Parsed, error) {
	p, err := config.LoadFile(path, withTrainers(o))
	if err != nil {
		return nil, err
	}
	return p, validate(p)
}

// Parse decodes and checks config bytes: config.Parse with the registered
// trainers as the names model.trainer may take, then the trainer's
// Validate. Every error is a *config.ConfigError at its key.
func Parse(name string, src []byte, o *config.Options) (*config.Parsed, error) {
	p, err := config.Parse(name, src, withTrainers(o))
	if err != nil {
		return nil, err
	}
	return p, validate(p)
}

func withTrainers(o *config.Options) *config.Options {
	var c config.Options
	if o != nil {
		c = *o
	}
	c.Trainers = Trainers()
	return &c
}

// validate runs the trainer's Validate, locating its error at its key.
func validate(p *config.Parsed) error {
	t, _ := lookup(p.Config.Model.Trainer)
	err := t.Validate(&p.Config)
	if err == nil || errors.Is(err, config.ErrConfig) {
		return err
	}
	if err = p.Locate(err); errors.Is(err, config.ErrConfig) {
		return err
	}
	return p.ErrAt("model", "%v", err)
}
