package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"os"
	"slices"

	"github.com/mxharness/mxharness/container"
)

func init() {
	commands["serve-cnf"] = command{
		summary: "serve the simulator where a maxscale.cnf says MaxScale listens (the simulator image's command)",
		run:     runServeCnf,
	}
}

const serveCnfUsage = `usage: mxharness serve-cnf [--cnf FILE] [-- serve flags...]

Runs mxharness serve on the REST API address (admin_host, admin_port) and
the listener addresses of a maxscale.cnf, so that the simulator image starts
like a MaxScale image: from the /etc/maxscale.cnf a container run copies in.
Without the file, serve's defaults apply. Flags after -- go to serve
(e.g. -- --profile documented --seed demo).

flags:
`

func runServeCnf(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	flags := flag.NewFlagSet("serve-cnf", flag.ContinueOnError)
	flags.SetOutput(stderr)
	cnf := flags.String("cnf", "/etc/maxscale.cnf", "maxscale.cnf `FILE` to read the addresses from")
	flags.Usage = func() {
		fmt.Fprint(flags.Output(), serveCnfUsage)
		flags.PrintDefaults()
	}
	if err := flags.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	serveArgs, err := serveArgsFromCnf(*cnf)
	if err != nil {
		fmt.Fprintf(stderr, "mxharness serve-cnf: %v\n", err)
		return 2
	}
	return commands["serve"].run(ctx, append(serveArgs, flags.Args()...), stdout, stderr)
}

// serveArgsFromCnf returns serve's address flags for the addresses in the
// maxscale.cnf at path, or none when there is no such file.
func serveArgsFromCnf(path string) ([]string, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	addrs, err := container.ParseAddresses(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	args := []string{"--api-addr", addrs.API}
	for _, service := range slices.Sorted(maps.Keys(addrs.Listeners)) {
		args = append(args, "--listen", service+"="+addrs.Listeners[service])
	}
	return args, nil
}
