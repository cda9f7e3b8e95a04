package serve

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net"
	"net/http"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"golang.org/x/sync/semaphore"

	"github.com/mlstack/mlstack"
	"github.com/mlstack/mlstack/pkg/frame"
	"github.com/mlstack/mlstack/pkg/model"
)

// Defaults of Options.
const (
	DefaultMaxBodyBytes      = 16 << 20
	DefaultMaxInFlightBytes  = 32 << 20
	DefaultQueueWait         = time.Second
	DefaultMaxConns          = 10000
	DefaultReadHeaderTimeout = 5 * time.Second
	DefaultReadTimeout       = 30 * time.Second
	DefaultWriteTimeout      = 30 * time.Second
	DefaultIdleTimeout       = 120 * time.Second
	DefaultDrainTimeout      = 30 * time.Second
)

// Options configure a Server. The zero value gives the defaults.
type Options struct {
	// MaxBodyBytes bounds a request body; a larger one is 413.
	// 0 means DefaultMaxBodyBytes (16 MiB).
	MaxBodyBytes int64
	// MaxInFlight bounds the scoring requests read and scored at once;
	// 0 means 4 × GOMAXPROCS. A request waits up to QueueWait for a slot,
	// then is refused with 503 and Retry-After.
	MaxInFlight int
	// MaxInFlightBytes bounds the bodies of the requests read and scored
	// at once: a request holds its Content-Length (MaxBodyBytes when it
	// sends none) from before it is read until it is answered, waiting up
	// to QueueWait for it, then 503 like a slot. 0 means
	// DefaultMaxInFlightBytes (32 MiB); it is at least MaxBodyBytes.
	MaxInFlightBytes int64
	// QueueWait: 0 means DefaultQueueWait (1 s); negative refuses at once.
	QueueWait time.Duration
	// MaxConns bounds the open connections Serve accepts (more wait in
	// the listen backlog); 0 means DefaultMaxConns.
	MaxConns int
	// Timeouts of Serve's http.Server; 0 means the defaults above. A
	// client slower than ReadHeaderTimeout to send its headers, or
	// ReadTimeout to send its request, is disconnected.
	ReadHeaderTimeout, ReadTimeout, WriteTimeout, IdleTimeout time.Duration
	// DrainTimeout bounds how long Serve waits for requests in flight
	// once its context is done; 0 means DefaultDrainTimeout (30 s).
	DrainTimeout time.Duration
	// Logger receives one record per request and the server's events;
	// nil means slog.Default().
	Logger *slog.Logger
}

func (o Options) withDefaults() Options {
	def := func(d *time.Duration, v time.Duration) {
		if *d == 0 {
			*d = v
		}
	}
	if o.MaxBodyBytes <= 0 {
		o.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if o.MaxInFlight <= 0 {
		o.MaxInFlight = 4 * runtime.GOMAXPROCS(0)
	}
	if o.MaxConns <= 0 {
		o.MaxConns = DefaultMaxConns
	}
	if o.MaxInFlightBytes <= 0 {
		o.MaxInFlightBytes = DefaultMaxInFlightBytes
	}
	o.MaxInFlightBytes = max(o.MaxInFlightBytes, o.MaxBodyBytes)
	def(&o.QueueWait, DefaultQueueWait)
	def(&o.ReadHeaderTimeout, DefaultReadHeaderTimeout)
	def(&o.ReadTimeout, DefaultReadTimeout)
	def(&o.WriteTimeout, DefaultWriteTimeout)
	def(&o.IdleTimeout, DefaultIdleTimeout)
	def(&o.DrainTimeout, DefaultDrainTimeout)
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	return o
}

// Loaded is a model being served and where it came from.
type Loaded struct {
	Model *model.Model
	// URI is what was asked for (models:/name@alias, a folder, ...);
	// Version is the registered version it resolved to ("" for a model
	// outside the registry).
	URI, Version string
	LoadedAt     time.Time

	quoted map[string][]byte // class label -> its JSON
}

// RegistryState is what /health says of the registry.
type RegistryState struct {
	CheckedAt   time.Time // the last check
	LastSuccess time.Time // the last check that reached the registry
	Err         string    // the last check's error, "" when it succeeded
}

// Server answers MLflow's scoring protocol with the model of its last
// Swap. See the package documentation.
type Server struct {
	opts    Options
	log     *slog.Logger
	cur     atomic.Pointer[Loaded]
	reg     atomic.Pointer[RegistryState]
	slots   chan struct{}
	bytes   *semaphore.Weighted // MaxInFlightBytes of bodies
	metrics *metrics
	idBase  string
	nextID  atomic.Uint64
}

// New returns a Server without a model: /invocations is 503 until Swap.
func New(opts Options) *Server {
	opts = opts.withDefaults()
	var rnd [4]byte
	rand.Read(rnd[:])
	return &Server{opts: opts, log: opts.Logger, slots: make(chan struct{}, opts.MaxInFlight),
		bytes: semaphore.NewWeighted(opts.MaxInFlightBytes), metrics: newMetrics(), idBase: hex.EncodeToString(rnd[:])}
}

// Swap makes l the model served: requests that started before go on with
// the model they had, later ones get l. It returns the model it replaced.
func (s *Server) Swap(l *Loaded) *Loaded {
	if l.LoadedAt.IsZero() {
		l.LoadedAt = time.Now()
	}
	if l.Model.Task == model.Classification && l.Model.Schema.Target.Kind != frame.Numeric {
		l.quoted = map[string][]byte{}
		for _, c := range l.Model.Classes() {
			l.quoted[c], _ = json.Marshal(c)
		}
	}
	old := s.cur.Swap(l)
	if old != nil {
		s.metrics.swaps.Add(1)
	}
	s.log.Info("model loaded", "uri", l.URI, "version", l.Version, "task", string(l.Model.Task), "inputs", len(l.Model.Inputs))
	return old
}

// Current returns the model served, nil before the first Swap.
func (s *Server) Current() *Loaded { return s.cur.Load() }

// SetRegistry records the outcome of a registry check for /health.
func (s *Server) SetRegistry(err error) {
	now := time.Now()
	st := &RegistryState{CheckedAt: now}
	if prev := s.reg.Load(); prev != nil {
		st.LastSuccess = prev.LastSuccess
	}
	if err != nil {
		st.Err = err.Error()
	} else {
		st.LastSuccess = now
	}
	s.reg.Store(st)
}

// Handler returns the HTTP handler of the scoring protocol.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /invocations", s.invocations)
	mux.HandleFunc("GET /ping", s.ping)
	mux.HandleFunc("GET /health", s.health)
	mux.HandleFunc("GET /version", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, mlstack.PythonPin("mlflow"))
	})
	mux.HandleFunc("GET /metrics", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
		s.metrics.write(w, s.cur.Load(), s.reg.Load())
	})
	return s.wrap(mux)
}

// Serve serves Handler on ln until ctx is done, then stops accepting
// and waits up to DrainTimeout for the requests in flight.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	o := s.opts
	hs := &http.Server{Handler: s.Handler(), ReadHeaderTimeout: o.ReadHeaderTimeout, ReadTimeout: o.ReadTimeout,
		WriteTimeout: o.WriteTimeout, IdleTimeout: o.IdleTimeout, MaxHeaderBytes: 64 << 10,
		ErrorLog: slog.NewLogLogger(s.log.Handler(), slog.LevelDebug)}
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(limitListen(ln, o.MaxConns)) }()
	select {
	case err := <-errc:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	s.log.Info("draining", "timeout", o.DrainTimeout.String())
	dctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), o.DrainTimeout)
	defer cancel()
	if err := hs.Shutdown(dctx); err != nil {
		hs.Close()
		return fmt.Errorf("serve: drain: %w", err)
	}
	s.log.Info("drained")
	return nil
}

// reqInfo is what a handler tells the request log.
type reqInfo struct {
	rows int
	err  string
}

type ctxKey struct{}

// recorder captures the status of a response.
type recorder struct {
	http.ResponseWriter
	code int
}

func (r *recorder) WriteHeader(code int) {
	if r.code == 0 {
		r.code = code
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *recorder) Write(b []byte) (int, error) {
	if r.code == 0 {
		r.code = http.StatusOK
	}
	return r.ResponseWriter.Write(b)
}

// wrap gives each request an id, recovers a panic as a 500, counts and
// logs the request.
func (s *Server) wrap(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		id := r.Header.Get("X-Request-Id")
		if !validID(id) {
			id = s.idBase + "-" + strconv.FormatUint(s.nextID.Add(1), 10)
		}
		w.Header().Set("X-Request-Id", id)
		info := &reqInfo{}
		rec := &recorder{ResponseWriter: w}
		defer func() {
			if p := recover(); p != nil {
				if p == http.ErrAbortHandler {
					panic(p)
				}
				s.log.Error("panic", "id", id, "panic", fmt.Sprint(p), "stack", string(debug.Stack()))
				if rec.code == 0 {
					writeError(rec, &Error{Code: CodeInternalError, Message: "internal error (logged with request id " + id + ")"})
				}
			}
			code := rec.code
			if code == 0 {
				code = http.StatusOK
			}
			d := time.Since(start)
			path := r.URL.Path
			scoring := path == "/invocations"
			if !scoring && path != "/ping" && path != "/health" && path != "/version" && path != "/metrics" {
				path = "other" // no label per client-chosen path
			}
			s.metrics.request(path, code, d, scoring && code == http.StatusOK)
			lvl := slog.LevelInfo
			if !scoring {
				lvl = slog.LevelDebug
			}
			if code >= 500 {
				lvl = slog.LevelWarn
			}
			if s.log.Enabled(r.Context(), lvl) {
				attrs := []slog.Attr{slog.String("id", id), slog.String("method", r.Method), slog.String("path", r.URL.Path),
					slog.Int("status", code), slog.Float64("ms", float64(d.Microseconds())/1000), slog.String("remote", r.RemoteAddr)}
				if scoring {
					attrs = append(attrs, slog.Int("rows", info.rows), slog.Int64("bytes", r.ContentLength))
				}
				if info.err != "" {
					attrs = append(attrs, slog.String("error", info.err))
				}
				s.log.LogAttrs(r.Context(), lvl, "request", attrs...)
			}
		}()
		h.ServeHTTP(rec, r.WithContext(context.WithValue(r.Context(), ctxKey{}, info)))
	})
}

// validID accepts a client's request id of up to 128 printable ASCII
// characters.
func validID(id string) bool {
	if id == "" || len(id) > 128 {
		return false
	}
	for i := 0; i < len(id); i++ {
		if id[i] < 0x21 || id[i] > 0x7e {
			return false
		}
	}
	return true
}

func (s *Server) ping(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	if s.cur.Load() == nil {
		w.WriteHeader(http.StatusNotFound)
	}
	io.WriteString(w, "\n")
}

// health reports the model served and the registry's state: 200 while a
// model is served, whatever the registry's state; 503 before one is.
func (s *Server) health(w http.ResponseWriter, _ *http.Request) {
	type modelJSON struct {
		URI      string    `json:"uri"`
		Version  string    `json:"version,omitempty"`
		Task     string    `json:"task"`
		LoadedAt time.Time `json:"loaded_at"`
	}
	type registryJSON struct {
		Reachable   bool       `json:"reachable"`
		CheckedAt   time.Time  `json:"checked_at"`
		LastSuccess *time.Time `json:"last_success,omitempty"`
		Error       string     `json:"error,omitempty"`
	}
	out := struct {
		Status   string        `json:"status"`
		Model    *modelJSON    `json:"model,omitempty"`
		Registry *registryJSON `json:"registry,omitempty"`
	}{Status: "ok"}
	code := http.StatusOK
	if l := s.cur.Load(); l != nil {
		out.Model = &modelJSON{URI: l.URI, Version: l.Version, Task: string(l.Model.Task), LoadedAt: l.LoadedAt}
	} else {
		out.Status, code = "no model loaded", http.StatusServiceUnavailable
	}
	if st := s.reg.Load(); st != nil {
		r := &registryJSON{Reachable: st.Err == "", CheckedAt: st.CheckedAt, Error: st.Err}
		if !st.LastSuccess.IsZero() {
			r.LastSuccess = &st.LastSuccess
		}
		out.Registry = r
		if st.Err != "" && code == http.StatusOK {
			out.Status = "ok, registry unreachable: serving the loaded model"
		}
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	json.NewEncoder(w).Encode(out)
}

func writeError(w http.ResponseWriter, e *Error) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(e.Status())
	w.Write(e.body())
}

// fail answers e and tells the request log.
func fail(w http.ResponseWriter, r *http.Request, e *Error) {
	if info, ok := r.Context().Value(ctxKey{}).(*reqInfo); ok {
		info.err = e.Message
	}
	writeError(w, e)
}

func (s *Server) invocations(w http.ResponseWriter, r *http.Request) {
	// Admission first: a request that waits has not been read yet.
	if !s.acquire(r.Context()) {
		s.metrics.rejected.Add(1)
		w.Header().Set("Retry-After", "1")
		fail(w, r, &Error{Code: CodeTemporarilyUnavailable, Message: fmt.Sprintf("the server is scoring %d requests, its limit; retry later", cap(s.slots))})
		return
	}
	defer s.release()
	if n := r.ContentLength; n <= s.opts.MaxBodyBytes { // a larger one is refused unread
		if n < 0 {
			n = s.opts.MaxBodyBytes
		}
		if !s.acquireBytes(r.Context(), n) {
			s.metrics.rejected.Add(1)
			w.Header().Set("Retry-After", "1")
			fail(w, r, &Error{Code: CodeTemporarilyUnavailable, Message: fmt.Sprintf("the server is reading and scoring %d bytes of requests, its limit; retry later", s.opts.MaxInFlightBytes)})
			return
		}
		defer s.bytes.Release(n)
	}
	l := s.cur.Load()
	if l == nil {
		w.Header().Set("Retry-After", "1")
		fail(w, r, &Error{Code: CodeTemporarilyUnavailable, Message: "no model loaded yet"})
		return
	}
	ct := r.Header.Get("Content-Type")
	mt, params, err := mime.ParseMediaType(ct)
	if err != nil || (mt != "application/json" && mt != "text/csv") {
		s.unsupported(w, r, "This predictor only supports the following content types: Types: ['text/csv', 'application/json']. Got '"+ct+"'.")
		return
	}
	for k, v := range params {
		if k != "charset" {
			s.unsupported(w, r, "Unrecognized content type parameters: "+k+".")
			return
		}
		if !strings.EqualFold(v, "utf-8") {
			s.unsupported(w, r, "The scoring server only supports UTF-8")
			return
		}
	}
	body, e := s.readBody(w, r)
	if e != nil {
		fail(w, r, e)
		return
	}
	var rows *frame.Frame
	var p map[string]any
	if mt == "text/csv" {
		rows, err = decodeCSV(r.Context(), body, l.Model)
	} else {
		rows, p, err = decodeJSON(body, l.Model)
	}
	if err == nil {
		var out []byte
		if out, err = predict(l, rows, p); err == nil {
			if info, ok := r.Context().Value(ctxKey{}).(*reqInfo); ok {
				info.rows = rows.Len()
			}
			s.metrics.rows.Add(uint64(rows.Len()))
			w.Header().Set("Content-Type", "application/json")
			w.Header().Set("Content-Length", strconv.Itoa(len(out)))
			w.Write(out)
			return
		}
	}
	var se *Error
	if !errors.As(err, &se) {
		se = &Error{Code: CodeBadRequest, Message: err.Error(), Err: err}
		if !errors.Is(err, model.ErrInput) {
			// Not the rows' fault as far as we know: still MLflow's 400.
			se.Message = "Encountered an unexpected error while evaluating the model. Verify that the serialized input Dataframe is compatible with the model for inference. Error: " + err.Error()
		}
	}
	fail(w, r, se)
}

func (s *Server) unsupported(w http.ResponseWriter, r *http.Request, msg string) {
	if info, ok := r.Context().Value(ctxKey{}).(*reqInfo); ok {
		info.err = msg
	}
	w.Header().Set("Content-Type", "text/plain")
	w.WriteHeader(http.StatusUnsupportedMediaType)
	io.WriteString(w, msg)
}

// acquire takes a scoring slot, waiting up to QueueWait.
func (s *Server) acquire(ctx context.Context) bool {
	select {
	case s.slots <- struct{}{}:
		s.metrics.inFlight.Add(1)
		return true
	default:
	}
	if s.opts.QueueWait < 0 {
		return false
	}
	t := time.NewTimer(s.opts.QueueWait)
	defer t.Stop()
	select {
	case s.slots <- struct{}{}:
		s.metrics.inFlight.Add(1)
		return true
	case <-t.C:
	case <-ctx.Done():
	}
	return false
}

// acquireBytes takes n bytes of MaxInFlightBytes, waiting up to
// QueueWait.
func (s *Server) acquireBytes(ctx context.Context, n int64) bool {
	if s.bytes.TryAcquire(n) {
		return true
	}
	if s.opts.QueueWait < 0 {
		return false
	}
	ctx, cancel := context.WithTimeout(ctx, s.opts.QueueWait)
	defer cancel()
	return s.bytes.Acquire(ctx, n) == nil
}

func (s *Server) release() {
	s.metrics.inFlight.Add(-1)
	<-s.slots
}

// readBody reads the body up to MaxBodyBytes: a larger one is 413, told
// by Content-Length before reading when the client sends it.
func (s *Server) readBody(w http.ResponseWriter, r *http.Request) ([]byte, *Error) {
	limit := s.opts.MaxBodyBytes
	tooLarge := &Error{Code: CodeRequestTooLarge, Message: fmt.Sprintf("the request body is larger than %d bytes, this server's limit", limit)}
	if r.ContentLength > limit {
		w.Header().Set("Connection", "close")
		return nil, tooLarge
	}
	n := r.ContentLength
	if n < 0 || n > 1<<20 {
		n = 1 << 20 // grows as read; a lying client gets no big buffer
	}
	buf := make([]byte, 0, n+1)
	body := http.MaxBytesReader(w, r.Body, limit)
	for {
		m, err := body.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+m]
		if err == io.EOF {
			return buf, nil
		}
		if err != nil {
			var mbe *http.MaxBytesError
			if errors.As(err, &mbe) {
				return nil, tooLarge
			}
			return nil, &Error{Code: CodeBadRequest, Message: "reading the request body: " + err.Error()}
		}
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)]
		}
	}
}
