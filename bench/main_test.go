package bench

import (
	"io"
	"log"
	"log/slog"
	"os"
	"testing"

	gomysql "github.com/go-sql-driver/mysql"

	"github.com/mxharness/mxharness/simulator/wire"
)

func TestMain(m *testing.M) {
	wire.RouteVitessLogs(slog.New(slog.DiscardHandler))
	// Clients whose sessions the soak deletes are the point; the driver's
	// "unexpected EOF" lines about them are noise.
	_ = gomysql.SetLogger(log.New(io.Discard, "", 0))
	os.Exit(m.Run())
}
