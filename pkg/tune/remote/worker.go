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

	"github.com/mlstack/mlstack/internal/crash"
	"github.com/mlstack/mlstack/pkg/tune"
)

// A Runner runs one trial of a search described by spec (what the
// coordinator's Spec holds). It reports intermediate values through
// report and returns tune.ErrPruned when told to stop.
type Runner func(ctx context.Context, spec []byte, t tune.Trial, report tune.Report) (tune.Result, error)

// Worker pulls trials of any search from the work queue and runs them.
type Worker struct {
	NC     *nats.Conn
	JS     jetstream.JetStream
	Name   string // in results and logs
	Run    Runner
	Config Config
	// PruneTimeout bounds a report's round trip to the coordinator
	// (default 5 s); without an answer the trial goes on.
	PruneTimeout time.Duration
	Log          *slog.Logger // nil: discard
}

// Serve runs trials one at a time until ctx ends. A trial interrupted by
// ctx is handed back to the queue at once (Nak) for another worker.
func (w *Worker) Serve(ctx context.Context) error {
	cfg := w.Config.withDefaults(w.NC)
	if w.Log == nil {
		w.Log = slog.New(slog.DiscardHandler)
	}
	// A worker may start before its cluster is ready, or while it elects
	// a leader (when a request for the consumer can time out): it waits.
	var cons jetstream.Consumer
	for {
		err := Setup(ctx, w.NC, w.JS, cfg)
		if err == nil {
			if cons, err = w.JS.Consumer(ctx, TrialsStream, WorkersConsumer); err == nil {
				break
			}
			err = fmt.Errorf("remote: consumer %s: %w", WorkersConsumer, err)
		}
		if ctx.Err() != nil {
			return nil
		}
		w.Log.Warn("streams not ready; retrying", "worker", w.Name, "err", err)
		select {
		case <-time.After(2 * time.Second):
		case <-ctx.Done():
			return nil
		}
	}
	w.Log.Info("worker ready", "worker", w.Name, "servers", w.NC.ConnectedUrlRedacted())
	for ctx.Err() == nil {
		m, err := cons.Next(jetstream.FetchMaxWait(2 * time.Second))
		if err != nil {
			if !errors.Is(err, jetstream.ErrNoMessages) && !errors.Is(err, nats.ErrTimeout) && ctx.Err() == nil {
				w.Log.Warn("fetch failed", "worker", w.Name, "err", err)
				select {
				case <-time.After(time.Second):
				case <-ctx.Done():
				}
			}
			continue
		}
		if err := w.handle(ctx, m, cfg); err != nil {
			return err
		}
	}
	return nil
}

// handle runs one delivered trial, heartbeating while it runs, and
// acknowledges it once its result is stored.
func (w *Worker) handle(ctx context.Context, m jetstream.Msg, cfg Config) error {
	var tm trialMsg
	if err := json.Unmarshal(m.Data(), &tm); err != nil || CheckSearchID(tm.Search) != nil {
		w.Log.Warn("malformed trial dropped", "worker", w.Name, "subject", m.Subject(), "err", err)
		return m.Term()
	}
	meta, _ := m.Metadata()
	w.Log.Info("trial started", "worker", w.Name, "search", tm.Search, "trial", tm.Number,
		"delivery", deliveries(meta))

	tctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var g crash.Group
	g.Go("remote: heartbeat", func() { keepAlive(tctx, m, cfg.AckWait/3) })
	report, reports := w.reporter(tm)
	trial := tune.Trial{Number: tm.Number, Params: tm.Params, State: tune.Running}
	var (
		r      tune.Result
		runErr error
	)
	func() {
		defer crash.Recover(&runErr)
		r, runErr = w.Run(tctx, tm.Spec, trial, report)
	}()
	cancel()
	if err := g.Wait(); err != nil {
		return err
	}
	var pe *crash.PanicError
	if errors.As(runErr, &pe) {
		m.Nak()
		return runErr // a bug: the worker stops, the trial goes to another
	}
	if ctx.Err() != nil {
		m.Nak()
		return nil
	}
	e := resultEvent(w.Name, tm.Number, tune.OutcomeOf(r, runErr), reports)
	if _, err := publish(ctx, w.JS, eventSubject(tm.Search, "result"), fmt.Sprintf("%s.result.%d", tm.Search, tm.Number), encode(e)); err != nil {
		m.Nak()
		return nil
	}
	w.Log.Info("trial finished", "worker", w.Name, "search", tm.Search, "trial", tm.Number, "state", e.State)
	actx, cancelAck := context.WithTimeout(ctx, 10*time.Second)
	defer cancelAck()
	if err := m.DoubleAck(actx); err != nil {
		w.Log.Warn("ack failed; the trial may run again (its second result is ignored)", "worker", w.Name, "trial", tm.Number, "err", err)
	}
	return nil
}

// keepAlive tells the server every interval that m is in progress, so
// that it is not redelivered, until ctx is done.
func keepAlive(ctx context.Context, m jetstream.Msg, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-t.C:
			m.InProgress()
		case <-ctx.Done():
			return
		}
	}
}

// reporter returns the report function of trial tm, which records each
// intermediate value in reports and asks the coordinator whether to prune
// (no answer within PruneTimeout: go on).
func (w *Worker) reporter(tm trialMsg) (report func(step int, v float64) bool, reports map[int]jsonFloat) {
	var mu sync.Mutex
	reports = map[int]jsonFloat{}
	report = func(step int, v float64) bool {
		mu.Lock()
		reports[step] = jsonFloat(v)
		mu.Unlock()
		timeout := w.PruneTimeout
		if timeout <= 0 {
			timeout = 5 * time.Second
		}
		reply, err := w.NC.Request(pruneSubject(tm.Search), encode(pruneMsg{Number: tm.Number, Step: step, Value: jsonFloat(v)}), timeout)
		if err != nil {
			return false
		}
		var p pruneMsg
		return json.Unmarshal(reply.Data, &p) == nil && p.Prune
	}
	return report, reports
}

// resultEvent is the result event of trial number, run by worker.
func resultEvent(worker string, number int, o tune.Outcome, reports map[int]jsonFloat) event {
	e := event{Kind: "result", Number: number, State: o.State.String(), Value: jsonFloat(o.Value),
		Err: o.Err, Worker: worker, Intermediate: reports}
	if len(o.Metrics) > 0 {
		e.Metrics = make(map[string]jsonFloat, len(o.Metrics))
		for k, v := range o.Metrics {
			e.Metrics[k] = jsonFloat(v)
		}
	}
	return e
}

func deliveries(meta *jetstream.MsgMetadata) uint64 {
	if meta == nil {
		return 0
	}
	return meta.NumDelivered
}
