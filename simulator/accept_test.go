package simulator

import (
	"context"
	"database/sql"
	"log/slog"
	"net"
	"os"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"

	"github.com/go-sql-driver/mysql"
)

// failingListener fails its first Accepts with errs, as the kernel does
// when the process is out of file descriptors; the client waits in the
// backlog meanwhile.
type failingListener struct {
	net.Listener
	mu   sync.Mutex
	errs []error
}

func (l *failingListener) Accept() (net.Conn, error) {
	l.mu.Lock()
	if len(l.errs) > 0 {
		err := l.errs[0]
		l.errs = l.errs[1:]
		l.mu.Unlock()
		return nil, err
	}
	l.mu.Unlock()
	return l.Listener.Accept()
}

// tempError is a net.Error that says it is temporary.
type tempError struct{}

func (tempError) Error() string   { return "accept: try again" }
func (tempError) Timeout() bool   { return false }
func (tempError) Temporary() bool { return true }

// countingHandler counts the records with one message.
type countingHandler struct {
	slog.Handler
	msg string
	n   *atomic.Int32
}

func (h countingHandler) Handle(ctx context.Context, r slog.Record) error {
	if r.Message == h.msg {
		h.n.Add(1)
	}
	return h.Handler.Handle(ctx, r)
}

func (h countingHandler) WithAttrs(as []slog.Attr) slog.Handler {
	return countingHandler{h.Handler.WithAttrs(as), h.msg, h.n}
}

func (h countingHandler) WithGroup(g string) slog.Handler {
	return countingHandler{h.Handler.WithGroup(g), h.msg, h.n}
}

func TestListenerKeepsAcceptingAfterTemporaryErrors(t *testing.T) {
	var warned atomic.Int32
	logger := slog.New(countingHandler{slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelWarn}), "accept failed, retrying", &warned})
	s := startSim(t, nil, WithLogger(logger))
	inner, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	emfile := &net.OpError{Op: "accept", Net: "tcp", Addr: inner.Addr(), Err: os.NewSyscallError("accept4", syscall.EMFILE)}
	ln := &failingListener{Listener: inner, errs: []error{emfile, emfile, tempError{}, emfile}}
	ctx, cancel := context.WithCancel(t.Context())
	served := make(chan error, 1)
	go func() { served <- s.Server.ServeMySQL(ctx, ln, "RW-Split-Router") }()
	t.Cleanup(func() {
		cancel()
		if err := <-served; err != nil {
			t.Errorf("ServeMySQL: %v", err)
		}
	})

	cfg := mysql.NewConfig()
	cfg.User, cfg.Passwd, cfg.Net, cfg.Addr = "maxuser", "maxpwd", "tcp", inner.Addr().String()
	connector, err := mysql.NewConnector(cfg)
	if err != nil {
		t.Fatal(err)
	}
	db := sql.OpenDB(connector)
	defer db.Close()
	var one int
	if err := db.QueryRowContext(t.Context(), "SELECT 1").Scan(&one); err != nil || one != 1 {
		t.Fatalf("query through the listener after failed accepts: %d, %v", one, err)
	}
	select {
	case err := <-served:
		served <- err // for the cleanup
		t.Fatalf("ServeMySQL returned: %v", err)
	default:
	}
	if n := warned.Load(); n != 4 {
		t.Errorf("%d back-off warnings, want one per failed accept (4)", n)
	}
	if ids := s.sessionIDs(t); len(ids) != 1 {
		t.Errorf("API lists sessions %v, want the one client", ids)
	}
}
