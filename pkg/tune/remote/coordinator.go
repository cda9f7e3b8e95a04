package remote

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/mlstack/mlstack/pkg/tune"
)

// Coordinator runs one search's trials on the workers: it is the nats
// executor's side of tune.Optimize.
type Coordinator struct {
	NC     *nats.Conn
	JS     jetstream.JetStream
	Search string // the search id: the same id resumes the search
	Spec   []byte // what workers need to run a trial (config, data location)
	Config Config
	Log    *slog.Logger // nil: discard
}

// searchState is what the coordinator knows of the search's log.
type searchState struct {
	mu     sync.Mutex
	logged map[int]bool   // trials whose OnTrial ran
	seqs   map[uint64]int // trials stream sequence → trial number
}

// Run runs the study's trials on the workers until o.NTrials have been
// issued (restored ones included) or o.Timeout passed or the sampler
// ends, and every issued trial has a result. The study must be new: Run
// first restores it from the search's log, so a coordinator started
// again with the same Search id resumes. o.Parallelism is the number of
// trials queued or running at once (default 1).
func (c *Coordinator) Run(ctx context.Context, study *tune.Study, o tune.Options) error {
	if err := CheckSearchID(c.Search); err != nil {
		return err
	}
	if len(study.Trials()) != 0 {
		return errors.New("remote: Run needs a new study (it restores the search's trials itself)")
	}
	if o.NTrials <= 0 && o.Timeout <= 0 {
		return errors.New("remote: a search needs n_trials or a timeout")
	}
	cfg := c.Config.withDefaults(c.NC)
	if err := Setup(ctx, c.NC, c.JS, cfg); err != nil {
		return err
	}
	log := c.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	st := &searchState{logged: map[int]bool{}, seqs: map[uint64]int{}}

	// Workers' intermediate reports: the study decides, as it would locally.
	sub, err := c.NC.Subscribe(pruneSubject(c.Search), func(m *nats.Msg) {
		var p pruneMsg
		if json.Unmarshal(m.Data, &p) != nil {
			return
		}
		prune, err := study.Report(p.Number, p.Step, float64(p.Value))
		p.Prune = prune || errors.Is(err, tune.ErrFinished) // a finished trial running again: stop it
		m.Respond(encode(p))
	})
	if err != nil {
		return fmt.Errorf("remote: subscribe %s: %w", pruneSubject(c.Search), err)
	}
	defer sub.Unsubscribe()

	// A trial that reached MaxDeliver deliveries without a result.
	exhausted := make(chan int, 16)
	adv, err := c.NC.Subscribe("$JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES."+TrialsStream+"."+WorkersConsumer, func(m *nats.Msg) {
		var a struct {
			StreamSeq  uint64 `json:"stream_seq"`
			Deliveries int    `json:"deliveries"`
		}
		if json.Unmarshal(m.Data, &a) != nil {
			return
		}
		st.mu.Lock()
		n, ok := st.seqs[a.StreamSeq]
		st.mu.Unlock()
		if ok {
			select {
			case exhausted <- n:
			default:
			}
		}
	})
	if err != nil {
		return fmt.Errorf("remote: subscribe to advisories: %w", err)
	}
	defer adv.Unsubscribe()

	events, stop, err := c.events(ctx)
	if err != nil {
		return err
	}
	defer stop()
	if err := c.replay(ctx, study, st, events, o.OnTrial, log); err != nil {
		return err
	}
	return c.loop(ctx, study, st, events, exhausted, o, log)
}

// events reads the search's log from the start, in order.
func (c *Coordinator) events(ctx context.Context) (<-chan jetstream.Msg, func(), error) {
	cons, err := c.JS.OrderedConsumer(ctx, SearchStream, jetstream.OrderedConsumerConfig{
		FilterSubjects: []string{eventSubject(c.Search, ">")},
	})
	if err != nil {
		return nil, nil, fmt.Errorf("remote: read search %s: %w", c.Search, err)
	}
	ch := make(chan jetstream.Msg, 64)
	cc, err := cons.Consume(func(m jetstream.Msg) { ch <- m })
	if err != nil {
		return nil, nil, fmt.Errorf("remote: read search %s: %w", c.Search, err)
	}
	return ch, cc.Stop, nil
}

// replay restores the study from the events stored before Run started,
// logs trials that finished but were not logged and re-queues trials
// that were issued and have no result.
func (c *Coordinator) replay(ctx context.Context, study *tune.Study, st *searchState, events <-chan jetstream.Msg, onTrial func(tune.Trial), log *slog.Logger) error {
	stream, err := c.JS.Stream(ctx, SearchStream)
	if err != nil {
		return fmt.Errorf("remote: stream %s: %w", SearchStream, err)
	}
	info, err := stream.Info(ctx, jetstream.WithSubjectFilter(eventSubject(c.Search, ">")))
	if err != nil {
		return fmt.Errorf("remote: stream %s: %w", SearchStream, err)
	}
	var stored uint64
	for _, n := range info.State.Subjects {
		stored += n
	}
	for range stored {
		select {
		case m := <-events:
			if err := c.apply(ctx, study, st, m, nil, log); err != nil {
				return err
			}
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(30 * time.Second):
			return fmt.Errorf("remote: replaying search %s: no event for 30 s", c.Search)
		}
	}
	if stored > 0 {
		log.Info("search resumed", "search", c.Search, "events", stored, "trials", len(study.Trials()))
	}
	for _, t := range study.Trials() {
		switch {
		case t.State.Finished() && !st.logged[t.Number]:
			if err := c.logTrial(ctx, st, t, onTrial); err != nil {
				return err
			}
		case !t.State.Finished():
			if err := c.queue(ctx, st, t); err != nil {
				return err
			}
		}
	}
	return nil
}

// loop issues trials while there is room and applies results as they
// come, until the search is done.
func (c *Coordinator) loop(ctx context.Context, study *tune.Study, st *searchState, events <-chan jetstream.Msg, exhausted <-chan int, o tune.Options, log *slog.Logger) error {
	var deadline <-chan time.Time
	if o.Timeout > 0 {
		t := time.NewTimer(o.Timeout)
		defer t.Stop()
		deadline = t.C
	}
	par := max(o.Parallelism, 1)
	issuing := true
	for {
		trials := study.Trials()
		running := 0
		for _, t := range trials {
			if !t.State.Finished() {
				running++
			}
		}
		for issuing && running < par && (o.NTrials <= 0 || len(trials) < o.NTrials) {
			t, err := study.Ask()
			if errors.Is(err, tune.ErrGridExhausted) {
				issuing = false
				break
			}
			if err != nil {
				return err
			}
			if _, err := publish(ctx, c.JS, eventSubject(c.Search, "asked"), c.msgID("asked", t.Number),
				encode(event{Kind: "asked", Number: t.Number, Params: t.Params})); err != nil {
				return err
			}
			if err := c.queue(ctx, st, t); err != nil {
				return err
			}
			log.Debug("trial issued", "search", c.Search, "trial", t.Number)
			running++
			trials = append(trials, t)
		}
		if o.NTrials > 0 && len(trials) >= o.NTrials {
			issuing = false
		}
		if !issuing && running == 0 {
			return nil
		}
		select {
		case m := <-events:
			if err := c.apply(ctx, study, st, m, o.OnTrial, log); err != nil {
				return err
			}
		case n := <-exhausted:
			e := event{Kind: "result", Number: n, State: "FAIL",
				Err: fmt.Sprintf("delivered %d times without a result: the workers that took it stopped (crashed or killed)", c.Config.withDefaults(c.NC).MaxDeliver)}
			if _, err := publish(ctx, c.JS, eventSubject(c.Search, "result"), c.msgID("result", n), encode(e)); err != nil {
				return err
			}
		case <-deadline:
			issuing = false
			deadline = nil
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// apply folds one event into the study. onTrial is nil while replaying.
func (c *Coordinator) apply(ctx context.Context, study *tune.Study, st *searchState, m jetstream.Msg, onTrial func(tune.Trial), log *slog.Logger) error {
	var e event
	if err := json.Unmarshal(m.Data(), &e); err != nil {
		log.Warn("search event ignored", "search", c.Search, "subject", m.Subject(), "err", err)
		return nil
	}
	switch e.Kind {
	case "asked":
		n := len(study.Trials())
		switch {
		case e.Number < n: // a duplicate
		case e.Number == n:
			if err := study.Restore(tune.Trial{Number: e.Number, Params: e.Params, State: tune.Running}); err != nil {
				return fmt.Errorf("remote: search %s: %w (was the search space changed? start a new search)", c.Search, err)
			}
		default:
			return fmt.Errorf("remote: search %s: trial %d issued after %d trials: the log has a gap", c.Search, e.Number, n)
		}
	case "result":
		o, err := e.outcome()
		if err != nil {
			log.Warn("result ignored", "search", c.Search, "err", err)
			return nil
		}
		t, err := study.Tell(e.Number, o)
		if errors.Is(err, tune.ErrFinished) || errors.Is(err, tune.ErrUnknownTrial) {
			log.Debug("duplicate result ignored", "search", c.Search, "trial", e.Number)
			return nil
		}
		if err != nil {
			return err
		}
		log.Info("trial finished", "search", c.Search, "trial", t.Number, "state", t.State.String(), "value", t.Value, "worker", e.Worker)
		if onTrial != nil {
			return c.logTrial(ctx, st, t, onTrial)
		}
	case "logged":
		st.mu.Lock()
		st.logged[e.Number] = true
		st.mu.Unlock()
	}
	return nil
}

// logTrial calls onTrial once for a finished trial and records it.
func (c *Coordinator) logTrial(ctx context.Context, st *searchState, t tune.Trial, onTrial func(tune.Trial)) error {
	if onTrial != nil {
		onTrial(t)
	}
	st.mu.Lock()
	st.logged[t.Number] = true
	st.mu.Unlock()
	_, err := publish(ctx, c.JS, eventSubject(c.Search, "logged"), c.msgID("logged", t.Number),
		encode(event{Kind: "logged", Number: t.Number}))
	return err
}

// queue puts a trial on the work queue (again: the message id makes a
// second copy within the duplicate window a no-op).
func (c *Coordinator) queue(ctx context.Context, st *searchState, t tune.Trial) error {
	ack, err := publish(ctx, c.JS, trialSubject(c.Search), c.msgID("trial", t.Number),
		encode(trialMsg{Search: c.Search, Number: t.Number, Params: t.Params, Spec: c.Spec}))
	if err != nil {
		return err
	}
	st.mu.Lock()
	st.seqs[ack.Sequence] = t.Number
	st.mu.Unlock()
	return nil
}

func (c *Coordinator) msgID(kind string, n int) string {
	return fmt.Sprintf("%s.%s.%d", c.Search, kind, n)
}
