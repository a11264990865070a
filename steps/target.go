package steps

import "net/http"

// Target is a server that claims to be MaxScale: its REST API and the SQL
// listeners through which real clients open the sessions the scenarios look at.
type Target struct {
	// Name identifies the target in reports, e.g. "simulator (documented)".
	Name string
	// APIURL is the REST API's base URL without /v1, e.g. http://127.0.0.1:8989.
	APIURL string
	// SQLAddrs maps a service name to the host:port of its listener.
	// "RW-Split-Router" is required; "Read-Connection-Router" is optional and
	// scenarios tagged @read-connection-router are skipped without it.
	SQLAddrs map[string]string
	// User and Password are an administrative REST API account.
	User, Password string
	// ReadOnlyUser and ReadOnlyPassword are a read-only ("basic") account;
	// scenarios tagged @readonly are skipped when ReadOnlyUser is empty.
	ReadOnlyUser, ReadOnlyPassword string
	// SQLUser and SQLPassword are what the SQL clients log in with.
	SQLUser, SQLPassword string
	// Simulator is true when the target is the simulator, whose control API
	// scenarios tagged @simulator need; they are skipped otherwise.
	Simulator bool
	// HTTPClient sends the REST requests; nil means a client with a 10 s timeout.
	HTTPClient *http.Client
}
