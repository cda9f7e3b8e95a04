package docker_test

import (
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/mlstack/mlstack/internal/testenv"
)

// The nats service (profile scale) runs JetStream on a volume, binds its
// ports to 127.0.0.1 with .env.example's defaults, and its healthcheck
// asks the URL that a real nats-server answers 200 once JetStream is on.
func TestComposeNATS(t *testing.T) {
	if _, err := load(t).GetService("nats"); err == nil {
		t.Error("nats runs without its profile")
	}
	s := service(t, load(t, "scale"), "nats")
	cmd := strings.Join(s.Command, " ")
	for _, want := range []string{"--jetstream", "--store_dir /data", "--http_port 8222"} {
		if !strings.Contains(cmd, want) {
			t.Errorf("nats command %q lacks %q", cmd, want)
		}
	}
	if len(s.Volumes) != 1 || s.Volumes[0].Source != "nats-data" || s.Volumes[0].Target != "/data" {
		t.Errorf("nats volumes = %+v, want nats-data:/data", s.Volumes)
	}
	var ports []string
	for _, p := range s.Ports {
		if p.HostIP != "127.0.0.1" {
			t.Errorf("nats port %+v is not bound to 127.0.0.1", p)
		}
		ports = append(ports, p.Published)
	}
	if !slices.Equal(ports, []string{"4222", "8222"}) {
		t.Errorf("nats publishes %v, want 4222 and 8222", ports)
	}
	h := s.HealthCheck
	if h == nil || len(h.Test) < 2 {
		t.Fatalf("nats healthcheck = %+v", h)
	}
	url := h.Test[len(h.Test)-1]
	if !strings.HasPrefix(url, "http://127.0.0.1:8222/") {
		t.Fatalf("nats healthcheck asks %q, not the monitoring port", url)
	}
	srv := testenv.NATS(t, 1)
	resp, err := http.Get("http://" + srv.Nodes[0].MonitorAddr + strings.TrimPrefix(url, "http://127.0.0.1:8222"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("nats-server answers the healthcheck's %s with %s", url, resp.Status)
	}
}
