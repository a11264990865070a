package bench

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"time"

	"github.com/go-sql-driver/mysql"
)

// openClients connects n go-sql-driver/mysql clients to a MaxScale's SQL
// listener, so that its REST API holds n sessions (besides any it had) while
// it is measured, and waits until it lists at least have+n. The returned
// function disconnects them.
func openClients(ctx context.Context, addr, user, password string, n int, listed func() int) (func(), error) {
	cfg := mysql.NewConfig()
	cfg.User, cfg.Passwd, cfg.Net, cfg.Addr = user, password, "tcp", addr
	cfg.ConnectionAttributes = "program_name:mxharness-bench-peers"
	cfg.Timeout = 10 * time.Second
	connector, err := mysql.NewConnector(cfg)
	if err != nil {
		return nil, err
	}
	have := listed()
	var conns []driver.Conn
	closeAll := func() {
		for _, c := range conns {
			_ = c.Close()
		}
	}
	for i := range n {
		c, err := connector.Connect(ctx)
		if err != nil {
			closeAll()
			return nil, fmt.Errorf("client %d of %d through %s: %w", i+1, n, addr, err)
		}
		conns = append(conns, c)
	}
	deadline := time.Now().Add(10 * time.Second)
	for listed() < have+n {
		if time.Now().After(deadline) {
			closeAll()
			return nil, fmt.Errorf("%d clients connected through %s, but MaxScale does not list %d sessions within 10 s", n, addr, have+n)
		}
		select {
		case <-ctx.Done():
			closeAll()
			return nil, errors.Join(ctx.Err(), errors.New("waiting for the clients' sessions"))
		case <-time.After(50 * time.Millisecond):
		}
	}
	return closeAll, nil
}
