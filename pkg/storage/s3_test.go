package storage_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/mlstack/mlstack/internal/testenv"
	"github.com/mlstack/mlstack/pkg/storage"
)

// wire is an HTTP transport to the test MinIO, whatever host the client
// names, that records how each uploaded part was signed and can damage a
// part's body on the way (one byte flipped, every attempt).
type wire struct {
	rt      http.RoundTripper
	corrupt string // partNumber whose body is damaged
	mu      sync.Mutex
	signing map[string]bool // X-Amz-Content-Sha256 values of part uploads
}

func newWire(addr string) *wire {
	d := &net.Dialer{}
	return &wire{
		rt: &http.Transport{DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
			return d.DialContext(ctx, network, addr)
		}},
		signing: map[string]bool{},
	}
}

func (w *wire) RoundTrip(r *http.Request) (*http.Response, error) {
	part := r.URL.Query().Get("partNumber")
	if r.Method == http.MethodPut && part != "" {
		w.mu.Lock()
		w.signing[r.Header.Get("X-Amz-Content-Sha256")] = true
		w.mu.Unlock()
		if part == w.corrupt && r.Body != nil {
			r2 := r.Clone(r.Context())
			r2.Body = &flipper{ReadCloser: r.Body, at: 100_000}
			r2.GetBody = nil
			r = r2
		}
	}
	return w.rt.RoundTrip(r)
}

// flipper flips the bits of the byte at offset at.
type flipper struct {
	io.ReadCloser
	off, at int64
}

func (f *flipper) Read(p []byte) (int, error) {
	n, err := f.ReadCloser.Read(p)
	if i := f.at - f.off; i >= 0 && i < int64(n) {
		p[i] ^= 0xff
	}
	f.off += int64(n)
	return n, err
}

// TestPayloadSigning checks which uploads carry SigV4 payload signatures
// and that, signed or not, a part damaged in transit is refused by the
// server and leaves no object.
func TestPayloadSigning(t *testing.T) {
	m := testenv.MinIO(t)
	_, port, _ := net.SplitHostPort(m.Endpoint)
	const (
		signed   = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER"
		unsigned = "STREAMING-UNSIGNED-PAYLOAD-TRAILER"
		bare     = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD" // signed, no checksum trailer
	)
	ctx := context.Background()
	data := bytes.Repeat([]byte("0123456789abcdef"), 12<<16) // 12 MiB: 3 parts of 5 MiB
	for _, c := range []struct {
		name      string
		host      string
		signing   storage.PayloadSigning
		checksums string // AWS_REQUEST_CHECKSUM_CALCULATION
		want      string
	}{
		{"loopback", "127.0.0.1", storage.SignAuto, "", unsigned},
		{"localhost", "localhost", storage.SignAuto, "when_supported", unsigned},
		{"named host", "minio.test", storage.SignAuto, "", signed},
		{"loopback always", "127.0.0.1", storage.SignAlways, "", signed},
		{"named host never", "minio.test", storage.SignNever, "", unsigned},
		{"loopback without checksums", "127.0.0.1", storage.SignAuto, "WHEN_REQUIRED", bare},
	} {
		t.Run(c.name, func(t *testing.T) {
			w := newWire(m.Endpoint)
			st, err := storage.NewS3(&storage.S3Options{
				Endpoint: "http://" + net.JoinHostPort(c.host, port), AccessKey: m.AccessKey, SecretKey: m.SecretKey,
				PartSize: 5 << 20, MaxRetries: 1, Transport: w, PayloadSigning: c.signing, RequestChecksums: c.checksums,
			})
			if err != nil {
				t.Fatal(err)
			}
			b := m.Bucket(t)
			info, err := st.Put(ctx, b, "ok.bin", bytes.NewReader(data), nil)
			if err != nil {
				t.Fatalf("Put: %v", err)
			}
			if info.SHA256 != sum(data) || info.Size != int64(len(data)) {
				t.Errorf("Put = %+v", info)
			}
			if len(w.signing) != 1 || !w.signing[c.want] {
				t.Errorf("parts went up as %v, want only %s", w.signing, c.want)
			}
			w.corrupt = "2"
			_, err = st.Put(ctx, b, "damaged.bin", bytes.NewReader(data), nil)
			if err == nil {
				t.Fatal("Put with a part damaged in transit succeeded")
			}
			t.Logf("damaged part refused: %v", err)
			if _, err := st.Stat(ctx, b, "damaged.bin"); !errors.Is(err, storage.ErrNotFound) {
				t.Errorf("after the refused Put: Stat = %v, want ErrNotFound", err)
			}
		})
	}
}

func TestS3OptionErrors(t *testing.T) {
	for _, c := range []struct {
		opts    storage.S3Options
		mention string
	}{
		{storage.S3Options{PayloadSigning: 7}, "PayloadSigning 7"},
		{storage.S3Options{RequestChecksums: "always"}, `AWS_REQUEST_CHECKSUM_CALCULATION "always"`},
	} {
		o := c.opts
		o.Endpoint, o.AccessKey, o.SecretKey = "http://127.0.0.1:9", "a", "b"
		if _, err := storage.NewS3(&o); err == nil || !strings.Contains(err.Error(), c.mention) {
			t.Errorf("NewS3(%+v) = %v, want an error naming %s", c.opts, err, c.mention)
		}
	}
	env := map[string]string{"AWS_REQUEST_CHECKSUM_CALCULATION": " when_required "}
	if got := storage.ConfigFromEnv(func(k string) string { return env[k] }).S3.RequestChecksums; got != "when_required" {
		t.Errorf("ConfigFromEnv: RequestChecksums = %q", got)
	}
}
