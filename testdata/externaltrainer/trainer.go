// Package externaltrainer is a trainer written outside the mlstack module:
// it registers itself with experiment.Register when imported, decodes its
// model.params with the config decoder, and trains through experiment.Run
// like the built-in trainers. It scores one numeric column: P(class 1) is
// the logistic of the column standardised on each fold's training rows.
package externaltrainer

import (
	"context"
	"fmt"
	"math"
	"slices"

	"gonum.org/v1/gonum/stat"

	"github.com/mlstack/mlstack/pkg/cv"
	"github.com/mlstack/mlstack/pkg/experiment"
	"github.com/mlstack/mlstack/pkg/experiment/config"
	"github.com/mlstack/mlstack/pkg/metrics"
)

// Name is the trainer's name in model.trainer.
const Name = "one-column"

func init() {
	experiment.Register(Name, func() experiment.Trainer { return trainer{} })
}

// params are model.params of the trainer.
type params struct {
	Column string  `yaml:"column"`                  // the numeric column scored
	Scale  float64 `yaml:"scale" decode:"positive"` // multiplies the standardised value; 1
	Sign   int     `yaml:"sign" alias:"direction"`  // -1 when a low value means class 1; 1
}

type trainer struct{}

func decode(c *config.Config) (*params, error) {
	p := &params{Scale: 1, Sign: 1}
	if err := c.Model.Params.Decode(p); err != nil {
		return nil, err
	}
	if p.Column == "" {
		return nil, &config.FieldError{Path: "model.params.column", Msg: "missing: name the numeric column to score"}
	}
	if p.Sign != 1 && p.Sign != -1 {
		return nil, &config.FieldError{Path: "model.params.sign", Msg: fmt.Sprintf("must be 1 or -1, got %d", p.Sign)}
	}
	return p, nil
}

func (trainer) Validate(c *config.Config) error {
	if c.Data.Target == "" {
		return &config.FieldError{Path: "data.target", Msg: "missing: name the label column"}
	}
	_, err := decode(c)
	return err
}

func (trainer) Train(ctx context.Context, job *experiment.Job) (*experiment.Outcome, error) {
	c := job.Config
	p, err := decode(c)
	if err != nil {
		return nil, err
	}
	col, err := job.Data.Column(p.Column)
	if err != nil {
		return nil, &config.FieldError{Path: "model.params.column", Msg: err.Error()}
	}
	x := col.Floats()
	y, _, err := job.Data.Labels(c.Data.Target, nil)
	if err != nil {
		return nil, err
	}
	splits, err := cv.StratifiedKFold{NSplits: c.Validation.NSplits, Shuffle: true, Seed: c.Seed}.Split(y)
	if err != nil {
		return nil, err
	}
	fold := func(ctx context.Context, sp cv.Split, seed uint64) (*cv.FoldOutput, error) {
		train := make([]float64, 0, len(sp.Train))
		for _, i := range sp.Train {
			if !math.IsNaN(x[i]) {
				train = append(train, x[i])
			}
		}
		mean, sd := stat.MeanStdDev(train, nil)
		score := make([]float64, len(sp.Test))
		for k, i := range sp.Test {
			z := 0.0
			if sd > 0 && !math.IsNaN(x[i]) {
				z = float64(p.Sign) * p.Scale * (x[i] - mean) / sd
			}
			score[k] = 1 / (1 + math.Exp(-z))
		}
		return &cv.FoldOutput{Score: score}, nil
	}
	res, err := cv.RunFolds(ctx, y, splits, fold, &cv.Options{Workers: 1, Seed: c.Seed, Threshold: c.Validation.Threshold, Progress: job.Progress})
	if err != nil {
		return nil, err
	}
	s := res.Summary(&metrics.AggregateOptions{Level: c.Metrics.Confidence, Seed: c.Seed})
	for name := range s.Aggregate {
		if len(c.Metrics.Names) > 0 && !slices.Contains(c.Metrics.Names, name) {
			delete(s.Aggregate, name)
		}
	}
	job.Notef("%s: scored %s over %d folds", Name, p.Column, len(splits))
	return &experiment.Outcome{Summary: s, CV: res, Params: map[string]string{"column": p.Column}}, nil
}
