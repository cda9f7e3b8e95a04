package remote

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"regexp"
	"strconv"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/mlstack/mlstack/internal/redact"
	"github.com/mlstack/mlstack/pkg/tune"
)

// Connect opens a NATS connection, named name, that reconnects for as
// long as it takes (a node of a cluster restarting is routine), and its
// JetStream context. url may list several servers, comma-separated.
func Connect(url, name string) (*nats.Conn, jetstream.JetStream, error) {
	nc, err := nats.Connect(url, nats.Name(name), nats.MaxReconnects(-1), nats.ReconnectWait(200*time.Millisecond))
	if err != nil {
		return nil, nil, fmt.Errorf("nats %s: %w", redact.URL(url), err)
	}
	js, err := jetstream.New(nc)
	if err != nil {
		nc.Close()
		return nil, nil, fmt.Errorf("nats %s: %w", redact.URL(url), err)
	}
	return nc, js, nil
}

// Stream and consumer names, shared by every search.
const (
	TrialsStream    = "MLSTACK_TRIALS"
	SearchStream    = "MLSTACK_SEARCH"
	WorkersConsumer = "mlstack-workers"
)

func trialSubject(search string) string       { return "mlstack.trials." + search }
func eventSubject(search, kind string) string { return "mlstack.search." + search + "." + kind }
func pruneSubject(search string) string       { return "mlstack.prune." + search }

// Config is how the streams and the workers' consumer are set up. The
// zero value takes the defaults.
type Config struct {
	// Replicas of each stream: 0 means 1 on a single server and 3 in a
	// cluster, so a search survives the loss of one node of three.
	Replicas int
	// AckWait is how long a trial may go without a worker's heartbeat
	// before it is delivered to another worker (default 30 s; workers
	// heartbeat every third of it).
	AckWait time.Duration
	// MaxDeliver is how many times a trial is delivered before it is
	// failed (default 3): a trial that crashes every worker it reaches
	// does not take the pool down one by one.
	MaxDeliver int
	// MaxAge is how long search events are kept (default 30 days).
	MaxAge time.Duration
}

func (c Config) withDefaults(nc *nats.Conn) Config {
	if c.Replicas == 0 {
		c.Replicas = 1
		if nc.ConnectedClusterName() != "" {
			c.Replicas = 3
		}
	}
	if c.AckWait <= 0 {
		c.AckWait = 30 * time.Second
	}
	if c.MaxDeliver <= 0 {
		c.MaxDeliver = 3
	}
	if c.MaxAge <= 0 {
		c.MaxAge = 30 * 24 * time.Hour
	}
	return c
}

// Setup creates the two streams and the workers' consumer when they do
// not exist. Coordinators and workers both call it, possibly at the same
// moment: a lost race, or a cluster still electing leaders, is retried
// (each request bounded to 5 s) for up to a minute.
func Setup(ctx context.Context, nc *nats.Conn, js jetstream.JetStream, cfg Config) error {
	cfg = cfg.withDefaults(nc)
	streams := []jetstream.StreamConfig{{
		Name: TrialsStream, Subjects: []string{"mlstack.trials.>"},
		Retention: jetstream.WorkQueuePolicy, Storage: jetstream.FileStorage,
		Replicas: cfg.Replicas, Duplicates: 2 * time.Minute, MaxMsgSize: 1 << 20,
	}, {
		Name: SearchStream, Subjects: []string{"mlstack.search.>"},
		Retention: jetstream.LimitsPolicy, Storage: jetstream.FileStorage,
		Replicas: cfg.Replicas, Duplicates: 2 * time.Minute, MaxAge: cfg.MaxAge, MaxMsgSize: 1 << 20,
	}}
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	for _, sc := range streams {
		if err := retry(ctx, func(ctx context.Context) error {
			if _, err := js.Stream(ctx, sc.Name); err == nil {
				return nil
			}
			_, err := js.CreateStream(ctx, sc)
			if errors.Is(err, jetstream.ErrStreamNameAlreadyInUse) {
				return nil
			}
			return err
		}); err != nil {
			return fmt.Errorf("remote: stream %s: %w", sc.Name, err)
		}
	}
	cc := jetstream.ConsumerConfig{
		Durable: WorkersConsumer, AckPolicy: jetstream.AckExplicitPolicy,
		AckWait: cfg.AckWait, MaxDeliver: cfg.MaxDeliver, MaxAckPending: 10000,
	}
	if err := retry(ctx, func(ctx context.Context) error {
		if _, err := js.Consumer(ctx, TrialsStream, WorkersConsumer); err == nil {
			return nil
		}
		_, err := js.CreateConsumer(ctx, TrialsStream, cc)
		if errors.Is(err, jetstream.ErrConsumerExists) {
			return nil
		}
		return err
	}); err != nil {
		return fmt.Errorf("remote: consumer %s: %w", WorkersConsumer, err)
	}
	return nil
}

// retry calls f, each call bounded to 5 s, until it succeeds or ctx
// ends.
func retry(ctx context.Context, f func(context.Context) error) error {
	backoff := 100 * time.Millisecond
	for {
		actx, cancel := context.WithTimeout(ctx, 5*time.Second)
		err := f(actx)
		cancel()
		if err == nil {
			return nil
		}
		select {
		case <-ctx.Done():
			return err
		case <-time.After(backoff):
		}
		backoff = min(2*backoff, 2*time.Second)
	}
}

var searchID = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)

// CheckSearchID reports whether id can name a search: letters, digits,
// '-' and '_' (it becomes a NATS subject token).
func CheckSearchID(id string) error {
	if !searchID.MatchString(id) {
		return fmt.Errorf("remote: search id %q: use 1-64 letters, digits, '-' or '_'", id)
	}
	return nil
}

// A trialMsg is one trial to run, on MLSTACK_TRIALS.
type trialMsg struct {
	Search string      `json:"search"`
	Number int         `json:"number"`
	Params tune.Params `json:"params"`
	Spec   []byte      `json:"spec"`
}

// An event is one entry of a search's log on MLSTACK_SEARCH.
type event struct {
	Kind         string               `json:"kind"` // asked, result, logged
	Number       int                  `json:"number"`
	Params       tune.Params          `json:"params,omitempty"`
	State        string               `json:"state,omitempty"`
	Value        jsonFloat            `json:"value"`
	Intermediate map[int]jsonFloat    `json:"intermediate,omitempty"`
	Metrics      map[string]jsonFloat `json:"metrics,omitempty"`
	Err          string               `json:"err,omitempty"`
	Worker       string               `json:"worker,omitempty"`
}

func (e *event) outcome() (tune.Outcome, error) {
	o := tune.Outcome{Value: float64(e.Value), Err: e.Err}
	switch e.State {
	case "COMPLETE":
		o.State = tune.Complete
	case "PRUNED":
		o.State = tune.Pruned
	case "FAIL":
		o.State = tune.Fail
	default:
		return o, fmt.Errorf("remote: trial %d: result with state %q", e.Number, e.State)
	}
	if len(e.Metrics) > 0 {
		o.Metrics = make(map[string]float64, len(e.Metrics))
		for k, v := range e.Metrics {
			o.Metrics[k] = float64(v)
		}
	}
	if len(e.Intermediate) > 0 {
		o.Intermediate = make(map[int]float64, len(e.Intermediate))
		for k, v := range e.Intermediate {
			o.Intermediate[k] = float64(v)
		}
	}
	return o, nil
}

// A pruneMsg is a worker's intermediate report; the reply says whether
// to stop.
type pruneMsg struct {
	Number int       `json:"number"`
	Step   int       `json:"step"`
	Value  jsonFloat `json:"value"`
	Prune  bool      `json:"prune,omitempty"`
}

// jsonFloat is a float64 whose NaN and infinities survive JSON (as the
// strings "NaN", "+Inf", "-Inf").
type jsonFloat float64

func (f jsonFloat) MarshalJSON() ([]byte, error) {
	x := float64(f)
	switch {
	case math.IsNaN(x):
		return []byte(`"NaN"`), nil
	case math.IsInf(x, 1):
		return []byte(`"+Inf"`), nil
	case math.IsInf(x, -1):
		return []byte(`"-Inf"`), nil
	}
	return strconv.AppendFloat(nil, x, 'g', -1, 64), nil
}

func (f *jsonFloat) UnmarshalJSON(b []byte) error {
	var s string
	if json.Unmarshal(b, &s) == nil {
		x, err := strconv.ParseFloat(s, 64)
		if err != nil {
			return err
		}
		*f = jsonFloat(x)
		return nil
	}
	var x float64
	if err := json.Unmarshal(b, &x); err != nil {
		return err
	}
	*f = jsonFloat(x)
	return nil
}

// publish stores data on subject with a message id, retrying while the
// cluster elects a new leader or the client reconnects, until ctx ends.
func publish(ctx context.Context, js jetstream.JetStream, subject, id string, data []byte) (*jetstream.PubAck, error) {
	backoff := 100 * time.Millisecond
	for {
		pctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		ack, err := js.Publish(pctx, subject, data, jetstream.WithMsgID(id))
		cancel()
		if err == nil {
			return ack, nil
		}
		if ctx.Err() != nil {
			return nil, fmt.Errorf("remote: publish %s: %w (last error: %v)", subject, ctx.Err(), err)
		}
		select {
		case <-time.After(backoff):
		case <-ctx.Done():
		}
		backoff = min(2*backoff, 2*time.Second)
	}
}

func encode(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("remote: encode %T: %v", v, err)) // the wire types always encode
	}
	return b
}
