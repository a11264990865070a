package main

import (
	"context"
	"fmt"
	"io"
	"path/filepath"

	"github.com/mxharness/mxharness/internal/capture"
)

func init() {
	commands["capture"] = command{
		summary: "write a server's session and list documents into a folder, as simulator/testdata/observed-24.02 holds them",
		run:     runCapture,
	}
}

const captureUsage = `usage: mxharness capture --api URL --sql HOST:PORT --sql-rconn HOST:PORT --out DIR [flags]

Connects one go-sql-driver/mysql client to each listener (readwritesplit, readconnroute), runs
SELECT 1 on each, GETs each client's session and the list of both, and writes the three
transcripts (001-get-rwsplit.txt, 002-get-readconn.txt, 003-list.txt) into DIR. The target
must have no other sessions. A capture of a real MaxScale in simulator/testdata/observed-RELEASE
is what TestDocumentsMatchRealMaxScale compares the simulator's documents with.

`

func runCapture(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	var c connFlags
	fs := newFlagSet("capture", captureUsage, stderr)
	c.define(fs, false)
	out := fs.String("out", "", "`DIR` to write the transcripts into (created; files there of the same names are replaced)")
	if status, ok := parseFlags(fs, args); !ok {
		return status
	}
	t := capture.Target{API: c.apiURL, RWSplit: c.sqlAddr, ReadConn: c.sqlRConnAddr,
		User: c.user, Password: c.password, SQLUser: c.sqlUser, SQLPassword: c.sqlPassword}
	if t.API == "" || t.RWSplit == "" || t.ReadConn == "" || *out == "" || fs.NArg() > 0 {
		fmt.Fprintln(stderr, "mxharness capture: --api, --sql, --sql-rconn and --out are required; no arguments")
		return 2
	}
	docs, err := capture.Take(ctx, t)
	if err == nil {
		err = capture.Write(*out, docs)
	}
	if err != nil {
		fmt.Fprintf(stderr, "mxharness capture: %v\n", err)
		return 1
	}
	for _, d := range docs {
		fmt.Fprintf(stdout, "wrote %s (%s, %d bytes of body)\n", filepath.Join(*out, d.Name), d.What, len(d.Body))
	}
	return 0
}
