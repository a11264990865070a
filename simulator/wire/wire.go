// Package wire is the simulator's SQL listener: the MariaDB/MySQL wire
// protocol from vitess.io/vitess/go/mysql, with every accepted connection
// registered as a session. The session id is the connection id the client
// sees in the handshake: vitess numbers connections per listener, but it
// calls Handler.NewConnection before it writes the handshake, and there the
// connection id is replaced with the session's id from the registry's one
// global counter.
//
// I/O events are counted on the socket itself (a net.Conn wrapper), so
// io_activity and idle see the handshake, pings and every packet.
package wire

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"vitess.io/vitess/go/mysql"
	"vitess.io/vitess/go/mysql/replication"
	"vitess.io/vitess/go/sqltypes"
	querypb "vitess.io/vitess/go/vt/proto/query"
	"vitess.io/vitess/go/vt/vtenv"

	"github.com/mxharness/mxharness/simulator/clock"
	"github.com/mxharness/mxharness/simulator/config"
	"github.com/mxharness/mxharness/simulator/session"
)

// Listener serves the SQL listeners of one simulator.
type Listener struct {
	reg    *session.Registry
	clock  clock.Clock
	logger *slog.Logger
	env    *vtenv.Environment
	auth   mysql.AuthServer
}

// New returns a listener that registers sessions in reg and lets users log
// in.
func New(reg *session.Registry, clk clock.Clock, users []config.SQLUser, logger *slog.Logger) (*Listener, error) {
	env, err := vtenv.New(vtenv.Options{MySQLServerVersion: "8.0.40"})
	if err != nil {
		return nil, fmt.Errorf("sql environment: %w", err)
	}
	entries := map[string][]*mysql.AuthServerStaticEntry{}
	for _, u := range users {
		entries[u.Name] = append(entries[u.Name], &mysql.AuthServerStaticEntry{Password: u.Password})
	}
	js, err := json.Marshal(entries)
	if err != nil {
		return nil, fmt.Errorf("sql users: %w", err)
	}
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &Listener{reg: reg, clock: clk, logger: logger.With("component", "mysql"), env: env,
		auth: startingAuth{mysql.NewAuthServerStatic("", string(js), 0)}}, nil
}

// startingAuth is vitess' static user table with one addition: a
// successful login starts the session before vitess sends the client its
// OK packet, so a client that has connected always finds its session
// started (as with MaxScale, which starts the session before replying).
type startingAuth struct{ *mysql.AuthServerStatic }

func (a startingAuth) AuthMethods() []mysql.AuthMethod {
	ms := a.AuthServerStatic.AuthMethods()
	out := make([]mysql.AuthMethod, len(ms))
	for i, m := range ms {
		out[i] = startingMethod{m}
	}
	return out
}

type startingMethod struct{ mysql.AuthMethod }

func (m startingMethod) HandleAuthPluginData(c *mysql.Conn, user string, serverData, clientData []byte, remote net.Addr) (mysql.Getter, error) {
	g, err := m.AuthMethod.HandleAuthPluginData(c, user, serverData, clientData, remote)
	if cd, ok := c.ClientData.(*conn); ok && err == nil {
		cd.session.Start(user, c.Attributes)
	}
	return g, err
}

// Serve accepts client connections on ln for the service until ctx ends,
// then closes ln and every connection it accepted and waits for them.
func (l *Listener) Serve(ctx context.Context, ln net.Listener, service string) error {
	tl := &trackingListener{Listener: ln, conns: map[*countingConn]struct{}{}, clock: l.clock,
		logger: l.logger.With("service", service)}
	h := &handler{l: l, service: service}
	vl, err := mysql.NewListenerWithConfig(mysql.ListenerConfig{Listener: tl, AuthServer: l.auth, Handler: h})
	if err != nil {
		return fmt.Errorf("sql listener %s: %w", service, err)
	}
	vl.ServerVersion = "5.5.5-" + ServerVersion
	done := make(chan struct{})
	go func() {
		defer close(done)
		vl.Accept()
	}()
	l.logger.InfoContext(ctx, "sql listener started", "service", service, "addr", ln.Addr().String())
	select {
	case <-ctx.Done():
	case <-done:
	}
	vl.Close()
	<-done
	tl.closeAll()
	tl.wg.Wait()
	l.logger.InfoContext(ctx, "sql listener stopped", "service", service)
	if ctx.Err() == nil {
		return fmt.Errorf("sql listener %s: accept loop ended", service)
	}
	return nil
}

// trackingListener wraps accepted connections in countingConns and keeps
// them so that Serve can close them on shutdown.
type trackingListener struct {
	net.Listener
	clock  clock.Clock
	logger *slog.Logger
	wg     sync.WaitGroup
	mu     sync.Mutex
	conns  map[*countingConn]struct{}
}

// Accept back-off bounds, net/http's Server.Serve's.
const (
	minAcceptDelay = 5 * time.Millisecond
	maxAcceptDelay = time.Second
)

// Accept retries temporary errors itself: vitess' accept loop ends at the
// first error, and then Serve, and with it the whole simulator, stops. At
// 20,000 clients Accept fails with EMFILE until some clients leave; like
// net/http it waits 5 ms, doubling to 1 s, and tries again.
func (t *trackingListener) Accept() (net.Conn, error) {
	var delay time.Duration
	for {
		c, err := t.Listener.Accept()
		if err == nil {
			return t.track(c), nil
		}
		if !temporary(err) {
			return nil, err
		}
		delay = min(max(2*delay, minAcceptDelay), maxAcceptDelay)
		t.logger.Warn("accept failed, retrying", "err", err, "retry_in", delay)
		time.Sleep(delay)
	}
}

// temporary reports whether a failed Accept may succeed later: out of
// file descriptors (EMFILE, ENFILE), or an error that says it is
// temporary, the rule net/http applies.
func temporary(err error) bool {
	if errors.Is(err, syscall.EMFILE) || errors.Is(err, syscall.ENFILE) {
		return true
	}
	var te interface{ Temporary() bool }
	return errors.As(err, &te) && te.Temporary()
}

// track wraps an accepted connection and keeps it for closeAll.
func (t *trackingListener) track(c net.Conn) net.Conn {
	cc := &countingConn{Conn: c, clock: t.clock, owner: t}
	t.wg.Add(1)
	t.mu.Lock()
	t.conns[cc] = struct{}{}
	t.mu.Unlock()
	return cc
}

func (t *trackingListener) closeAll() {
	t.mu.Lock()
	defer t.mu.Unlock()
	for c := range t.conns {
		c.Conn.Close()
	}
}

// countingConn reports every successful read and write to its session.
type countingConn struct {
	net.Conn
	clock   clock.Clock
	owner   *trackingListener
	session atomic.Pointer[session.Session]
	once    sync.Once
}

func (c *countingConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	if n > 0 {
		c.record()
	}
	return n, err
}

func (c *countingConn) Write(p []byte) (int, error) {
	n, err := c.Conn.Write(p)
	if n > 0 {
		c.record()
	}
	return n, err
}

func (c *countingConn) record() {
	if s := c.session.Load(); s != nil {
		s.IO(c.clock.Now())
	}
}

func (c *countingConn) Close() error {
	err := c.Conn.Close()
	c.once.Do(func() {
		c.owner.mu.Lock()
		delete(c.owner.conns, c)
		c.owner.mu.Unlock()
		c.owner.wg.Done()
	})
	return err
}

// handler implements mysql.Handler for one service.
type handler struct {
	mysql.UnimplementedHandler
	l       *Listener
	service string
}

// conn is the per-connection data kept in mysql.Conn.ClientData.
type conn struct {
	session *session.Session
	state   *connState
	ctx     context.Context
	cancel  context.CancelFunc
}

func (h *handler) NewConnection(c *mysql.Conn) {
	raw, _ := c.GetRawConn().(*countingConn)
	host, portText, _ := net.SplitHostPort(c.RemoteAddr().String())
	port, _ := strconv.Atoi(portText)
	s, err := h.l.reg.Open(session.Client{Service: h.service, Remote: host, Port: port, Close: c.Close})
	if err != nil {
		h.l.logger.Error("cannot open session", "service", h.service, "err", err)
		c.Close()
		return
	}
	// The handshake, written after this returns, carries this id.
	c.ConnectionID = uint32(s.Number())
	ctx, cancel := context.WithCancel(context.Background())
	c.ClientData = &conn{session: s, state: newConnState(), ctx: ctx, cancel: cancel}
	if raw != nil {
		raw.session.Store(s)
		s.IO(h.l.clock.Now()) // the accept
	}
}

func (h *handler) ConnectionReady(c *mysql.Conn) {
	if cd, ok := c.ClientData.(*conn); ok {
		h.l.logger.Debug("session started", "session_id", cd.session.ID(), "user", c.User, "service", h.service)
	}
}

func (h *handler) ConnectionClosed(c *mysql.Conn) {
	if cd, ok := c.ClientData.(*conn); ok {
		cd.cancel()
		h.l.reg.Closed(cd.session)
	}
}

func (h *handler) ComQuery(c *mysql.Conn, query string, callback func(*sqltypes.Result) error) error {
	cd, ok := c.ClientData.(*conn)
	if !ok {
		return errUnsupported("connections without a session")
	}
	stmt, err := h.l.env.Parser().Parse(query)
	st := session.Statement{Command: "COM_QUERY", Text: query, SessionCommand: err == nil && classify(stmt)}
	cd.session.Begin(h.l.clock.Now(), st)
	var res *sqltypes.Result
	if err != nil {
		err = errParse(query)
	} else {
		res, err = cd.state.execute(env{
			ctx: cd.ctx, user: c.User + "@" + cd.session.Remote(), killed: cd.session.Killed(),
			backendID: cd.session.BackendThreadID,
		}, stmt)
	}
	rows, size := 0, 0
	if res != nil {
		rows = len(res.Rows)
		size = resultSize(res)
	}
	cd.session.End(h.l.clock.Now(), rows, size)
	if err != nil {
		return err
	}
	return callback(res)
}

// resultSize approximates the bytes of a result set on the wire, for the
// trace's "Resultset: N rows in B".
func resultSize(r *sqltypes.Result) int {
	n := 9
	for _, f := range r.Fields {
		n += 4 + 22 + len(f.Name)
	}
	for _, row := range r.Rows {
		n += 4
		for _, v := range row {
			n += 1 + v.Len()
		}
	}
	return n
}

func (h *handler) ComQueryMulti(c *mysql.Conn, sql string, callback func(qr sqltypes.QueryResponse, more bool, firstPacket bool) error) error {
	return errUnsupported("multi-query mode")
}

func (h *handler) ComPrepare(*mysql.Conn, string) ([]*querypb.Field, uint16, error) {
	return nil, 0, errUnsupported("prepared statements")
}

func (h *handler) ComStmtExecute(*mysql.Conn, *mysql.PrepareData, func(*sqltypes.Result) error) error {
	return errUnsupported("prepared statements")
}

func (h *handler) ComRegisterReplica(*mysql.Conn, string, uint16, string, string) error {
	return errUnsupported("replication")
}

func (h *handler) ComBinlogDump(*mysql.Conn, string, uint32) error {
	return errUnsupported("replication")
}

func (h *handler) ComBinlogDumpGTID(*mysql.Conn, string, uint64, replication.GTIDSet, uint16) error {
	return errUnsupported("replication")
}

func (h *handler) WarningCount(*mysql.Conn) uint16 { return 0 }

func (h *handler) ComResetConnection(c *mysql.Conn) {
	if cd, ok := c.ClientData.(*conn); ok {
		cd.state = newConnState()
	}
}

func (h *handler) Env() *vtenv.Environment { return h.l.env }
