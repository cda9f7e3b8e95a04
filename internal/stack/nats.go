package stack

import (
	"context"
	"fmt"
	"os/exec"
	"strings"
	"time"
)

// NATS describes a NATS server with JetStream, alone or as one node of a
// cluster (Cluster and Routes set). Distributed searches keep their work
// queue and results in its streams (pkg/tune/remote).
type NATS struct {
	Bin         string // the nats-server binary (scripts/setup-nats.sh builds it)
	Name        string // server name, unique in a cluster
	StoreDir    string // JetStream's files
	Addr        string // client port, e.g. 127.0.0.1:4222
	MonitorAddr string // HTTP monitoring (/healthz), e.g. 127.0.0.1:8222
	Cluster     string // cluster name; empty for a single server
	ClusterAddr string // route listener, e.g. 127.0.0.1:6222
	Routes      []string
}

// URL is the client URL.
func (n NATS) URL() string { return "nats://" + n.Addr }

// Start runs the server and waits until JetStream is enabled. A cluster
// node is not ready for streams until its peers are up too: WaitReady
// waits for that.
func (n NATS) Start(ctx context.Context, logPath string, detach bool) (*Process, error) {
	for _, a := range []string{n.Addr, n.MonitorAddr, n.ClusterAddr} {
		if a == "" {
			continue
		}
		if err := CheckPort("nats", a); err != nil {
			return nil, err
		}
	}
	if err := privateDir(n.StoreDir); err != nil {
		return nil, err
	}
	host, port, _ := strings.Cut(n.Addr, ":")
	args := []string{"--jetstream", "--store_dir", n.StoreDir, "--addr", host, "--port", port,
		"--http_port", portOf(n.MonitorAddr), "--server_name", n.Name}
	if n.Cluster != "" {
		args = append(args, "--cluster_name", n.Cluster, "--cluster", "nats://"+n.ClusterAddr,
			"--routes", strings.Join(n.Routes, ","))
	}
	p, err := start("nats-"+n.Name, exec.Command(n.Bin, args...), logPath, detach)
	if err != nil {
		return nil, err
	}
	if err := p.waitHealthy(ctx, 30*time.Second, httpOK("http://"+n.MonitorAddr+"/healthz?js-enabled-only=true")); err != nil {
		p.Stop(5 * time.Second)
		return nil, err
	}
	return p, nil
}

// WaitReady waits until the server's full health check passes: for a
// cluster node, JetStream's meta group has a leader and the node is
// current with it.
func (n NATS) WaitReady(ctx context.Context, p *Process, timeout time.Duration) error {
	return p.waitHealthy(ctx, timeout, httpOK("http://"+n.MonitorAddr+"/healthz"))
}

func portOf(addr string) string {
	_, port, ok := strings.Cut(addr, ":")
	if !ok {
		panic(fmt.Sprintf("stack: address %q has no port", addr))
	}
	return port
}
