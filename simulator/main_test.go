package simulator

import (
	"log/slog"
	"os"
	"testing"

	"github.com/mxharness/mxharness/simulator/wire"
)

func TestMain(m *testing.M) {
	wire.RouteVitessLogs(slog.New(slog.DiscardHandler))
	os.Exit(m.Run())
}
