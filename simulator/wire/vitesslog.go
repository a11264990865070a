package wire

import (
	"context"
	"log/slog"

	vtlog "vitess.io/vitess/go/vt/log"
)

// RouteVitessLogs sends the log lines of vitess' protocol code (its own
// process-wide logger, which otherwise writes coloured lines to stderr) to
// l at debug level: they report what the simulator does on purpose, such
// as a write to a socket a kill has closed. Like slog.SetDefault it
// changes process-wide state, so only main (and TestMain) call it.
func RouteVitessLogs(l *slog.Logger) {
	vtlog.SwapLogger(slog.New(debugHandler{l.With("component", "vitess").Handler()}))
}

// debugHandler logs every record at debug level.
type debugHandler struct{ slog.Handler }

func (h debugHandler) Enabled(ctx context.Context, _ slog.Level) bool {
	return h.Handler.Enabled(ctx, slog.LevelDebug)
}

func (h debugHandler) Handle(ctx context.Context, r slog.Record) error {
	r.Level = slog.LevelDebug
	return h.Handler.Handle(ctx, r)
}

func (h debugHandler) WithAttrs(as []slog.Attr) slog.Handler {
	return debugHandler{h.Handler.WithAttrs(as)}
}

func (h debugHandler) WithGroup(name string) slog.Handler {
	return debugHandler{h.Handler.WithGroup(name)}
}
