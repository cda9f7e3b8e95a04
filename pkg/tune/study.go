package tune

import (
	"errors"
	"fmt"
	"maps"
	"math"
	"slices"
	"sync"
)

// Direction says whether the objective is minimised or maximised.
type Direction int

const (
	Minimize Direction = iota
	Maximize
)

func (d Direction) String() string {
	if d == Maximize {
		return "maximize"
	}
	return "minimize"
}

// Better reports whether a is a better objective value than b.
func (d Direction) Better(a, b float64) bool {
	if d == Maximize {
		return a > b
	}
	return a < b
}

// State is a trial's state, with Optuna's names.
type State int

const (
	Running State = iota
	Complete
	Pruned
	Fail
)

var stateNames = [...]string{"RUNNING", "COMPLETE", "PRUNED", "FAIL"}

func (s State) String() string {
	if int(s) < len(stateNames) {
		return stateNames[s]
	}
	return fmt.Sprintf("State(%d)", int(s))
}

// Finished reports whether the trial has ended.
func (s State) Finished() bool { return s != Running }

// A Trial is one evaluation of the objective. Intermediate holds the
// values reported at each step (for a cross-validated score: the running
// mean after each fold), which the pruner compares across trials.
type Trial struct {
	Number       int
	Params       Params
	State        State
	Value        float64            // the objective, for a Complete trial
	Intermediate map[int]float64    // step → reported value
	Metrics      map[string]float64 // what the objective measured besides Value
	Err          string             // why a Fail trial failed
}

// lastStep is the largest reported step, or -1.
func (t *Trial) lastStep() int {
	last := -1
	for s := range t.Intermediate {
		last = max(last, s)
	}
	return last
}

func (t *Trial) clone() Trial {
	c := *t
	c.Params = maps.Clone(t.Params)
	c.Intermediate = maps.Clone(t.Intermediate)
	c.Metrics = maps.Clone(t.Metrics)
	return c
}

// A Sampler proposes the parameters of a new trial from the study's
// history. It is called with the study's lock held, one call at a time.
type Sampler interface {
	Sample(h *History) (Params, error)
}

// A Pruner decides, when a trial reports an intermediate value, whether
// to stop it early.
type Pruner interface {
	Prune(h *History, t *Trial) bool
}

// History is what a sampler or pruner sees of a study: its space,
// direction and every trial so far (Running ones included), in number
// order. Samplers must not modify it.
type History struct {
	Space     Space
	Direction Direction
	Trials    []*Trial
	// Number is the number of the trial being sampled.
	Number int
}

// Study is a search: it hands out trials (Ask), records their reports
// and results (Report, Tell) and knows the best so far. It is safe for
// concurrent use: trials on many goroutines or machines share one
// study, as with Optuna's n_jobs.
type Study struct {
	mu      sync.Mutex
	space   Space
	dir     Direction
	sampler Sampler
	pruner  Pruner
	trials  []*Trial
}

// ErrUnknownTrial is returned for a trial number the study never issued.
var ErrUnknownTrial = errors.New("tune: unknown trial")

// ErrFinished is returned when a finished trial is reported or told again.
var ErrFinished = errors.New("tune: trial already finished")

// NewStudy validates the space and returns an empty study. A nil pruner
// never prunes.
func NewStudy(space Space, dir Direction, sampler Sampler, pruner Pruner) (*Study, error) {
	if err := space.Validate(); err != nil {
		return nil, err
	}
	if sampler == nil {
		panic("tune: NewStudy with a nil sampler")
	}
	return &Study{space: slices.Clone(space), dir: dir, sampler: sampler, pruner: pruner}, nil
}

// Direction is the study's direction.
func (s *Study) Direction() Direction { return s.dir }

// Space is the study's search space.
func (s *Study) Space() Space { return slices.Clone(s.space) }

func (s *Study) history(number int) *History {
	return &History{Space: s.space, Direction: s.dir, Trials: s.trials, Number: number}
}

// Ask starts a new trial with parameters from the sampler.
func (s *Study) Ask() (Trial, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := len(s.trials)
	p, err := s.sampler.Sample(s.history(n))
	if err != nil {
		return Trial{}, fmt.Errorf("tune: trial %d: %w", n, err)
	}
	t := &Trial{Number: n, Params: p, State: Running, Intermediate: map[int]float64{}}
	s.trials = append(s.trials, t)
	return t.clone(), nil
}

// Restore adds a trial recorded elsewhere (a resumed search): its number
// must be the next one. Running trials are restored as running.
func (s *Study) Restore(t Trial) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if t.Number != len(s.trials) {
		return fmt.Errorf("tune: restore trial %d: the next number is %d", t.Number, len(s.trials))
	}
	for _, p := range s.space {
		v, ok := t.Params[p.Name]
		if !ok {
			return fmt.Errorf("tune: restore trial %d: no value for %q", t.Number, p.Name)
		}
		if _, ok := p.Dist.internal(v); !ok {
			return fmt.Errorf("tune: restore trial %d: %q = %v is outside its distribution", t.Number, p.Name, v)
		}
	}
	c := t.clone()
	if c.Intermediate == nil {
		c.Intermediate = map[int]float64{}
	}
	s.trials = append(s.trials, &c)
	return nil
}

func (s *Study) running(number int) (*Trial, error) {
	if number < 0 || number >= len(s.trials) {
		return nil, fmt.Errorf("%w %d", ErrUnknownTrial, number)
	}
	t := s.trials[number]
	if t.State.Finished() {
		return nil, fmt.Errorf("%w: trial %d is %v", ErrFinished, number, t.State)
	}
	return t, nil
}

// Report records a trial's intermediate value at step and reports
// whether the pruner stops the trial there (the caller then tells it
// Pruned). A NaN value is recorded; the pruner treats it as Optuna does.
func (s *Study) Report(number, step int, value float64) (prune bool, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t, err := s.running(number)
	if err != nil {
		return false, err
	}
	if step < 0 {
		return false, fmt.Errorf("tune: trial %d: negative step %d", number, step)
	}
	t.Intermediate[step] = value
	if s.pruner == nil {
		return false, nil
	}
	return s.pruner.Prune(s.history(number), t), nil
}

// An Outcome is how a trial ended.
type Outcome struct {
	State   State              // Complete, Pruned or Fail
	Value   float64            // the objective, for Complete
	Metrics map[string]float64 // other measurements, kept with the trial
	Err     string             // why it failed, for Fail
	// Intermediate holds reports the study may not have seen (a trial
	// run elsewhere, told to a restarted coordinator); they are added to
	// the trial's before its state is set.
	Intermediate map[int]float64
}

// Tell ends a trial. A Complete trial needs a finite value (a NaN or
// infinite objective makes it Fail, as in Optuna); a Pruned trial's
// value is its last intermediate value.
func (s *Study) Tell(number int, o Outcome) (Trial, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t, err := s.running(number)
	if err != nil {
		return Trial{}, err
	}
	for step, v := range o.Intermediate {
		if _, ok := t.Intermediate[step]; !ok && step >= 0 {
			t.Intermediate[step] = v
		}
	}
	switch o.State {
	case Complete:
		if math.IsNaN(o.Value) || math.IsInf(o.Value, 0) {
			o.State, o.Err = Fail, fmt.Sprintf("the objective is %v", o.Value)
		}
	case Pruned:
		o.Value = math.NaN()
		if last := t.lastStep(); last >= 0 {
			o.Value = t.Intermediate[last]
		}
	case Fail:
		o.Value = math.NaN()
	default:
		return Trial{}, fmt.Errorf("tune: trial %d: cannot tell state %v", number, o.State)
	}
	t.State, t.Value, t.Err, t.Metrics = o.State, o.Value, o.Err, maps.Clone(o.Metrics)
	return t.clone(), nil
}

// Trials returns a copy of every trial in number order.
func (s *Study) Trials() []Trial {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Trial, len(s.trials))
	for i, t := range s.trials {
		out[i] = t.clone()
	}
	return out
}

// Best returns the best Complete trial (the first one on ties).
func (s *Study) Best() (Trial, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var best *Trial
	for _, t := range s.trials {
		if t.State == Complete && (best == nil || s.dir.Better(t.Value, best.Value)) {
			best = t
		}
	}
	if best == nil {
		return Trial{}, false
	}
	return best.clone(), true
}

// Counts returns the number of trials in each state.
func (s *Study) Counts() map[State]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := map[State]int{}
	for _, t := range s.trials {
		out[t.State]++
	}
	return out
}
