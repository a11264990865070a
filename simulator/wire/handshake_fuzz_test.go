package wire_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"strconv"
	"syscall"
	"testing"
	"time"

	"vitess.io/vitess/go/mysql"

	"github.com/mxharness/mxharness/simulator/clock"
	"github.com/mxharness/mxharness/simulator/config"
	"github.com/mxharness/mxharness/simulator/session"
	"github.com/mxharness/mxharness/simulator/wire"
)

// How a fuzz input reaches the listener.
const (
	instead    = iota // the bytes are all the client sends
	asResponse        // the bytes answer the server's greeting
	afterLogin        // the bytes follow a complete, successful login
	numPositions
)

// ioDeadline bounds every read and write of the fuzzer, so that a listener
// that stops answering fails the input instead of hanging the run.
const ioDeadline = 5 * time.Second

// FuzzHandshake feeds arbitrary bytes to a real listener on 127.0.0.1:0:
// instead of a handshake, as the answer to the server's greeting, or after
// a successful login. Whatever the bytes, the listener must not crash, the
// connection must end once the client stops sending, its session must go,
// and the listener must go on accepting and greeting new clients.
func FuzzHandshake(f *testing.F) {
	for _, seed := range [][]byte{
		{},
		{0x01, 0x00, 0x00, 0x00, 0x01}, // COM_QUIT
		{0x05, 0x00, 0x00, 0x00, 0x03, 'S', 'E', 'L', 'E'},                             // truncated COM_QUERY
		{0xff, 0xff, 0xff, 0x00},                                                       // a 16 MiB packet announced, none sent
		{0x20, 0x00, 0x00, 0x01, 0x85, 0xa6, 0xff, 0x01, 0x00, 0x00, 0x00, 0x01, 0x21}, // short handshake response
		[]byte("GET / HTTP/1.1\r\nHost: x\r\n\r\n"),
		{0x00, 0x00, 0x00, 0x00},
	} {
		for pos := range numPositions {
			f.Add(seed, uint8(pos))
		}
	}
	addr, reg := startListener(f)
	f.Fuzz(func(t *testing.T, data []byte, position uint8) {
		conn := connectAt(t, addr, int(position%numPositions))
		_ = conn.SetDeadline(time.Now().Add(ioDeadline))
		if _, err := conn.Write(data); err != nil && !isClosed(err) {
			t.Fatalf("write: %v", err)
		}
		if tc, ok := conn.(*net.TCPConn); ok {
			_ = tc.CloseWrite()
		}
		// The server answers or not, then ends the connection: a read
		// must reach EOF (or a reset) before the deadline.
		if _, err := io.Copy(io.Discard, conn); err != nil && !isClosed(err) {
			t.Fatalf("the server kept the connection open after the client stopped sending %x: %v", data, err)
		}
		conn.Close()
		waitNoSessions(t, reg)
		// The listener still greets a new client.
		greeted := connectAt(t, addr, instead)
		greeted.Close()
		waitNoSessions(t, reg)
	})
}

// startListener serves RW-Split-Router's listener on 127.0.0.1:0 until the
// fuzz run ends.
func startListener(f *testing.F) (string, *session.Registry) {
	f.Helper()
	wire.RouteVitessLogs(slog.New(slog.DiscardHandler))
	clk := clock.New()
	reg := session.New(config.Default(), clk)
	f.Cleanup(reg.Close)
	l, err := wire.New(reg, clk, config.Default().SQLUsers, nil)
	if err != nil {
		f.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		f.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- l.Serve(ctx, ln, "RW-Split-Router") }()
	f.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			f.Errorf("Serve: %v", err)
		}
	})
	return ln.Addr().String(), reg
}

// connectAt opens a connection and takes it to the position: nothing read
// (instead), the greeting read (asResponse), or logged in (afterLogin).
func connectAt(t *testing.T, addr string, position int) net.Conn {
	t.Helper()
	if position == afterLogin {
		host, port, _ := net.SplitHostPort(addr)
		p, _ := strconv.Atoi(port)
		user := config.Default().SQLUsers[0]
		ctx, cancel := context.WithTimeout(context.Background(), ioDeadline)
		defer cancel()
		c, err := mysql.Connect(ctx, &mysql.ConnParams{Host: host, Port: p, Uname: user.Name, Pass: user.Password})
		if err != nil {
			t.Fatalf("login: %v", err)
		}
		return c.GetRawConn()
	}
	conn, err := net.DialTimeout("tcp", addr, ioDeadline)
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	if position == asResponse {
		_ = conn.SetReadDeadline(time.Now().Add(ioDeadline))
		if err := readGreeting(conn); err != nil {
			t.Fatalf("greeting: %v", err)
		}
	}
	return conn
}

// readGreeting reads the server's first packet and checks that it is a
// protocol-10 handshake.
func readGreeting(conn net.Conn) error {
	var header [4]byte
	if _, err := io.ReadFull(conn, header[:]); err != nil {
		return err
	}
	body := make([]byte, int(header[0])|int(header[1])<<8|int(header[2])<<16)
	if _, err := io.ReadFull(conn, body); err != nil {
		return err
	}
	if len(body) == 0 || body[0] != 10 {
		return &net.OpError{Op: "greeting", Err: io.ErrUnexpectedEOF}
	}
	return nil
}

// waitNoSessions polls until the registry holds no session: a connection
// that ended must not leave one behind.
func waitNoSessions(t *testing.T, reg *session.Registry) {
	t.Helper()
	deadline := time.Now().Add(ioDeadline)
	tick := time.NewTicker(time.Millisecond)
	defer tick.Stop()
	for reg.Len() > 0 {
		if time.Now().After(deadline) {
			t.Fatalf("%d sessions left after their connections ended", reg.Len())
		}
		<-tick.C
	}
}

// isClosed reports errors that only mean the server closed first (a
// timeout is not one of them).
func isClosed(err error) bool {
	return errors.Is(err, io.EOF) || errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE)
}
