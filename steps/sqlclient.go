package steps

import (
	"context"
	"database/sql/driver"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"sync"
	"time"

	"github.com/go-sql-driver/mysql"
)

// sqlClient is one real MariaDB/MySQL client connection through a target's
// listener: the session the scenarios look at. It is driven through
// go-sql-driver/mysql's driver interface directly, so that no pool ever
// reconnects behind a scenario's back.
type sqlClient struct {
	name, service, program string
	// id is the connection id the server sent in its handshake, which the
	// documentation says is the session id.
	id string
	// host and port are the client's end of the TCP connection, which the
	// session shows as remote and port.
	host string
	port int
	// addr is the listener the client dialled; dialled is when it began
	// to connect, a bound for the session's connected time and its age.
	addr    string
	dialled time.Time

	mu   sync.Mutex // a driver connection is not safe for concurrent use
	conn driver.Conn
	net  *greetingConn
	// running is the result of a query started in the background (nil
	// when none is running).
	running chan error
}

// connectClient opens a connection to addr as user, sending program as the
// program_name connection attribute, and records the handshake's connection id.
func connectClient(ctx context.Context, name, service, addr, user, password, program string) (*sqlClient, error) {
	cfg := mysql.NewConfig()
	cfg.User, cfg.Passwd = user, password
	cfg.Net, cfg.Addr = "tcp", addr
	cfg.ConnectionAttributes = "program_name:" + program
	// A killed session is an expected end here; the driver would log it.
	cfg.Logger = &mysql.NopLogger{}
	cfg.Timeout = 5 * time.Second
	cfg.ReadTimeout = 10 * time.Second
	cfg.WriteTimeout = 10 * time.Second
	var greeting *greetingConn
	cfg.DialFunc = func(ctx context.Context, network, addr string) (net.Conn, error) {
		var d net.Dialer
		c, err := d.DialContext(ctx, network, addr)
		if err != nil {
			return nil, err
		}
		greeting = &greetingConn{Conn: c}
		return greeting, nil
	}
	connector, err := mysql.NewConnector(cfg)
	if err != nil {
		return nil, fmt.Errorf("client %q: %w", name, err)
	}
	dialled := time.Now()
	conn, err := connector.Connect(ctx)
	if err != nil {
		return nil, fmt.Errorf("client %q: connect to %s (%s) as %s: %w", name, service, addr, user, err)
	}
	id, err := greeting.connectionID()
	if err != nil {
		_ = conn.Close()
		return nil, fmt.Errorf("client %q: %w", name, err)
	}
	return &sqlClient{
		name: name, service: service, program: program,
		id:   strconv.FormatUint(uint64(id), 10),
		host: greeting.LocalAddr().(*net.TCPAddr).IP.String(),
		port: greeting.LocalAddr().(*net.TCPAddr).Port,
		addr: addr, dialled: dialled,
		conn: conn, net: greeting,
	}, nil
}

// selectOne runs SELECT 1 and checks that the answer is one row holding 1.
func (c *sqlClient) selectOne(ctx context.Context) error {
	rows, err := c.queryRows(ctx, "SELECT 1")
	if err != nil {
		return err
	}
	if len(rows) != 1 || len(rows[0]) != 1 || fmt.Sprint(rows[0][0]) != "1" {
		return fmt.Errorf("client %q: SELECT 1 answered %v, want one row holding 1", c.name, rows)
	}
	return nil
}

// query runs a statement and reads its whole result.
func (c *sqlClient) query(ctx context.Context, stmt string) error {
	_, err := c.queryRows(ctx, stmt)
	return err
}

// unique makes stmt's text this client's alone by adding its program name
// in a comment. MaxScale's cache filter (my-cache-filter on RW-Split-Router,
// soft_ttl 30 s, one cache per routing worker) keys a result on the
// statement's text and serves it as it was stored, without asking the
// server:
//   - a SELECT SLEEP(5) that another run sent less than 30 s before was
//     answered at once, so the session was never busy with it, and a change
//     "while the query runs" met an idle session (session-update.feature:191,
//     the documented behaviour about 1 run in 3 against 24.02);
//   - the answer goes out in the protocol of the client that stored it. On
//     24.08 go-sql-driver talks with CLIENT_DEPRECATE_EOF and the mariadb CLI
//     without, so the CLI's "SELECT 1" of scripts/maxscale-from-source.sh
//     reached this driver with EOF packets it does not expect: it read no
//     row, and the rest stayed in its buffer ("busy buffer" at the next
//     statement, lifecycle.feature:7); the other way round the CLI says
//     "ERROR 2027: Received malformed packet".
func (c *sqlClient) unique(stmt string) string {
	return stmt + " /* " + c.program + " */"
}

// queryRows runs a statement and returns its rows.
func (c *sqlClient) queryRows(ctx context.Context, stmt string) ([][]driver.Value, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	q, ok := c.conn.(driver.QueryerContext)
	if !ok {
		return nil, fmt.Errorf("client %q: driver connection cannot query", c.name)
	}
	rows, err := q.QueryContext(ctx, c.unique(stmt), nil)
	if err != nil {
		return nil, fmt.Errorf("client %q: %s: %w", c.name, stmt, err)
	}
	defer rows.Close()
	var out [][]driver.Value
	for {
		dest := make([]driver.Value, len(rows.Columns()))
		if err := rows.Next(dest); err != nil {
			if errors.Is(err, io.EOF) {
				return out, nil
			}
			return nil, fmt.Errorf("client %q: %s: %w", c.name, stmt, err)
		}
		for i, v := range dest {
			if b, ok := v.([]byte); ok {
				dest[i] = string(b) // the driver reuses its buffer
			}
		}
		out = append(out, dest)
	}
}

// start runs stmt in the background and returns once the statement has been
// written to the socket, so that the server is busy with it when start
// returns. finish waits for it.
func (c *sqlClient) start(ctx context.Context, stmt string) error {
	if c.running != nil {
		return fmt.Errorf("client %q is already running a query", c.name)
	}
	before := c.net.writes()
	c.running = make(chan error, 1)
	go func() { c.running <- c.query(context.WithoutCancel(ctx), stmt) }()
	return poll(ctx, 5*time.Second, func() error {
		if c.net.writes() == before {
			return fmt.Errorf("client %q has not sent %q yet", c.name, stmt)
		}
		return nil
	})
}

// finish waits for the query started in the background and returns its error.
func (c *sqlClient) finish(ctx context.Context) error {
	if c.running == nil {
		return fmt.Errorf("client %q is running no query", c.name)
	}
	defer func() { c.running = nil }()
	select {
	case err := <-c.running:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// ping sends COM_PING; it fails once the server has closed the connection.
func (c *sqlClient) ping(ctx context.Context) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	p, ok := c.conn.(driver.Pinger)
	if !ok {
		return fmt.Errorf("client %q: driver connection cannot ping", c.name)
	}
	return p.Ping(ctx)
}

func (c *sqlClient) close() {
	c.mu.Lock()
	defer c.mu.Unlock()
	_ = c.conn.Close()
}

// greetingConn keeps the first bytes the server sends, the initial handshake
// packet, so that the connection id in it can be read. The bytes still go to
// the driver unchanged.
type greetingConn struct {
	net.Conn
	mu     sync.Mutex
	first  []byte
	nwrite int // completed writes: a statement has been sent when it grows
}

// greetingBytes is more than a handshake needs up to its connection id:
// 4 header bytes, the protocol version, a server version string, 4 id bytes.
const greetingBytes = 512

func (g *greetingConn) Read(p []byte) (int, error) {
	n, err := g.Conn.Read(p)
	g.mu.Lock()
	if room := greetingBytes - len(g.first); room > 0 && n > 0 {
		g.first = append(g.first, p[:min(n, room)]...)
	}
	g.mu.Unlock()
	return n, err
}

func (g *greetingConn) Write(p []byte) (int, error) {
	n, err := g.Conn.Write(p)
	g.mu.Lock()
	g.nwrite++
	g.mu.Unlock()
	return n, err
}

func (g *greetingConn) writes() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.nwrite
}

// errNoGreeting means the bytes kept are not a protocol-10 handshake.
var errNoGreeting = errors.New("no MySQL protocol 10 handshake from the server")

// connectionID parses the connection id out of the initial handshake packet:
// payload = protocol version (1 byte, 10), server version (NUL-terminated),
// connection id (4 bytes, little-endian).
func (g *greetingConn) connectionID() (uint32, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	return parseGreeting(g.first)
}

func parseGreeting(b []byte) (uint32, error) {
	if len(b) < 5 || b[4] != 10 {
		return 0, errNoGreeting
	}
	payload := b[5:]
	for i, c := range payload {
		if c == 0 {
			if len(payload) < i+5 {
				return 0, fmt.Errorf("%w: packet ends before the connection id", errNoGreeting)
			}
			return binary.LittleEndian.Uint32(payload[i+1 : i+5]), nil
		}
	}
	return 0, fmt.Errorf("%w: no end to the server version", errNoGreeting)
}
