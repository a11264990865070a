package mutate

import (
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
)

// Mutant is one documented behaviour of the session resource broken the
// way a real implementation gets it wrong.
type Mutant struct {
	// Name is the mutant's kebab-case name.
	Name string
	// Breaks is the id of the documentation statement it breaks in
	// features/README.md (S… for Resources-Session.md, A… for API.md), and
	// Statement what that statement says.
	Breaks, Statement string
	// Also lists other statements whose scenarios the mutant proves can
	// fail (features/README.md lists it in their rows too).
	Also []string
	// Profile is the simulator profile in which the break is visible:
	// documented (judged with no ledger) or maxscale-24.02 (judged with the
	// 24.02 ledger).
	Profile string
	// Reproduces is the ledger id of the deviation the mutant reproduces,
	// if it imitates a known departure of a MaxScale release. Against a
	// target judged with a ledger that lists it, the mutant changes
	// nothing that counts and is left out.
	Reproduces string
	// Moot lists ledger ids of deviations under which the behaviour the
	// mutant breaks does not exist at all: a release that ignores filter
	// expressions has no ne() to break, and its answer is the same with
	// the mutant or without. Against a target judged with a ledger that
	// lists one, the mutant is left out.
	Moot []string
	// Tags selects the scenarios that can see the break (a godog tag
	// expression), which keeps the campaign short.
	Tags string
	// Rewrite builds the mutant's middleware for one run; state it keeps
	// (sessions it hid, restarts it saw) lives in the closure.
	Rewrite func(Env) Middleware
}

// idWithJunk is a session id followed by what is not a digit (1abc).
var idWithJunk = regexp.MustCompile(`/sessions/([0-9]+)[^0-9/]+`)

// bareNumber is a number argument of a filter function: eq(5).
var bareNumber = regexp.MustCompile(`\(([0-9]+)\)`)

// authPath is /v1/auth.
var authPath = regexp.MustCompile(`^(?:/v1)?/auth/?$`)

// pageNumber is the page[number] of a pagination link.
var pageNumber = regexp.MustCompile(`(page%5Bnumber%5D=)[0-9]+`)

// Profiles of the embedded simulator a mutant runs in.
const (
	documented = "documented"
	observed   = "maxscale-24.02"
)

// static wraps a middleware that needs neither the environment nor state.
func static(m Middleware) func(Env) Middleware { return func(Env) Middleware { return m } }

// Request matchers used by several mutants.
var (
	getOne  = on(http.MethodGet, sessionPath)
	getList = on(http.MethodGet, collectionPath)
	getAny  = either(getOne, getList)
	patch   = on(http.MethodPatch, sessionPath)
	kill    = on(http.MethodDelete, sessionPath)
	writes  = either(patch, kill, on(http.MethodPost, restartOnePath), on(http.MethodPost, restartAllPath),
		on(http.MethodPatch, filtersRelPath))
)

// write methods a read-only account must not use.
func isWrite(r *http.Request) bool {
	switch method(r) {
	case http.MethodGet, http.MethodHead, http.MethodOptions:
		return false
	}
	return true
}

// Mutants is the campaign: every mutant, each breaking one statement.
var Mutants = []Mutant{
	// Status codes, one per operation.
	{Name: "write-status-200", Breaks: "S18", Also: []string{"A54"}, Statement: "Session is modified: Status: 204 No Content (and the same for restart and kill)",
		Profile: documented, Reproduces: "write-status-200", Tags: "@write",
		Rewrite: static(editStatus(writes, http.StatusNoContent, http.StatusOK))},
	{Name: "patch-returns-the-session", Breaks: "S18", Also: []string{"A54"}, Statement: "Session is modified: Status: 204 No Content",
		Profile: documented, Tags: "@update",
		Rewrite: func(env Env) Middleware {
			return func(next http.Handler) http.Handler {
				return editResponse(patch, func(r *http.Request, c *captured) {
					if c.status != http.StatusNoContent {
						return
					}
					doc, _ := env.get(next, r, r.URL.Path)
					c.status, c.body = http.StatusOK, encodeLike([]byte("\n"), doc)
					c.header.Set("Content-Type", "application/json")
				})(next)
			}
		}},
	{Name: "kill-answers-202", Breaks: "S28", Statement: "Session was killed: Status: 204 No Content",
		Profile: documented, Tags: "@kill",
		Rewrite: static(editStatus(kill, http.StatusNoContent, http.StatusAccepted))},
	{Name: "restart-answers-202", Breaks: "S22", Statement: "Session is was restarted: Status: 204 No Content",
		Profile: documented, Tags: "@restart && ~@exclusive",
		Rewrite: static(editStatus(on(http.MethodPost, restartOnePath), http.StatusNoContent, http.StatusAccepted))},
	{Name: "restart-all-answers-200", Breaks: "S23", Statement: "POST /v1/sessions/restart … Status: 204 No Content",
		Profile: documented, Tags: "@restart && @exclusive",
		Rewrite: static(editStatus(on(http.MethodPost, restartAllPath), http.StatusNoContent, http.StatusOK))},
	{Name: "unknown-id-400", Breaks: "A61", Statement: "404 Not Found – The requested resource could not be found.",
		Profile: observed, Tags: "@negative",
		Rewrite: static(editStatus(either(onAny(sessionPath), onAny(restartOnePath)), http.StatusNotFound, http.StatusBadRequest))},
	{Name: "unknown-id-empty-404", Breaks: "A56", Statement: "the body of the response MAY contain a JSON representation of the error",
		Profile: documented, Reproduces: "unknown-id-empty-404", Tags: "@negative",
		Rewrite: static(editResponse(always, func(_ *http.Request, c *captured) {
			if c.status == http.StatusNotFound {
				c.body = nil
				c.header.Del("Content-Type")
			}
		}))},
	{Name: "unsupported-method-404", Breaks: "A62", Statement: "405 Method Not Allowed – A request method is not supported for the requested resource.",
		Profile: documented, Reproduces: "known-method-404-not-405", Tags: "@errors",
		Rewrite: static(editStatus(always, http.StatusMethodNotAllowed, http.StatusNotFound))},
	{Name: "no-credentials-403", Breaks: "A59", Statement: "401 Unauthorized – Authentication is required. The response includes a WWW-Authenticate header.",
		Profile: observed, Tags: "@auth",
		Rewrite: static(editStatus(always, http.StatusUnauthorized, http.StatusForbidden))},
	{Name: "invalid-json-500", Breaks: "A58", Statement: "400 Bad Request – The server cannot or will not process the request due to client error.",
		Profile: observed, Tags: "@update && @negative",
		Rewrite: static(editStatus(patch, http.StatusBadRequest, http.StatusInternalServerError))},
	{Name: "unknown-filter-accepted", Breaks: "A58", Statement: "400 Bad Request (a filter the session cannot use)",
		Profile: documented, Tags: "@filters",
		Rewrite: static(editStatus(either(patch, on(http.MethodPatch, filtersRelPath)), http.StatusBadRequest, http.StatusNoContent))},

	// Attributes: missing, renamed, of the wrong JSON type.
	{Name: "user-missing", Breaks: "S7", Statement: "the example document's attributes (user)",
		Profile: observed, Tags: "@get,@list,@fields",
		Rewrite: static(eachAttributes(func(a map[string]any) { delete(a, "user") }))},
	{Name: "remote-renamed-host", Breaks: "S7", Statement: "the example document's attributes (remote)",
		Profile: observed, Tags: "@get",
		Rewrite: static(eachAttributes(func(a map[string]any) {
			if v, ok := a["remote"]; ok {
				a["host"] = v
				delete(a, "remote")
			}
		}))},
	{Name: "port-as-string", Breaks: "S7", Statement: "the example document's attributes (port, a number)",
		Profile: observed, Tags: "@get",
		Rewrite: static(eachAttributes(func(a map[string]any) { stringify(a, "port") }))},
	{Name: "thread-as-string", Breaks: "S7", Statement: "the example document's attributes (thread, a number)",
		Profile: observed, Tags: "@get",
		Rewrite: static(eachAttributes(func(a map[string]any) { stringify(a, "thread") }))},
	{Name: "thread-is-os-thread-id", Breaks: "S7", Statement: "the example document's attributes (thread: the MaxScale worker thread the session runs on)",
		Profile: observed, Tags: "@get",
		Rewrite: static(eachAttributes(func(a map[string]any) {
			if n, ok := a["thread"].(json.Number); ok {
				if v, err := n.Int64(); err == nil {
					a["thread"] = 140_000 + v
				}
			}
		}))},
	{Name: "idle-as-string", Breaks: "S7", Statement: "the example document's attributes (idle, a number)",
		Profile: observed, Tags: "@get",
		Rewrite: static(eachAttributes(func(a map[string]any) { stringify(a, "idle") }))},
	{Name: "connected-not-http-date", Breaks: "S7", Statement: "the example document's attributes (connected, an HTTP date)",
		Profile: observed, Tags: "@get",
		Rewrite: static(eachAttributes(connectedISO))},
	{Name: "connection-attributes-missing", Breaks: "S7", Statement: "the example document's attributes (client.connection_attributes)",
		Profile: observed, Tags: "@get",
		Rewrite: static(eachAttributes(func(a map[string]any) { delete(object(a, "client"), "connection_attributes") }))},
	{Name: "backend-id-as-string", Breaks: "S1", Statement: "A session is an abstraction of a client connection, any number of related backend connections (connections[].connection_id, a number)",
		Profile: observed, Tags: "@get,@restart",
		Rewrite: static(eachAttributes(func(a map[string]any) {
			conns, _ := a["connections"].([]any)
			for _, c := range conns {
				if m, ok := c.(map[string]any); ok {
					stringify(m, "connection_id")
				}
			}
		}))},
	{Name: "id-as-number", Breaks: "A8", Statement: "All resources conform to the JSON API specification (ids are strings)",
		Profile: observed, Tags: "@get,@api",
		Rewrite: static(eachSession(idAsNumber))},
	{Name: "type-singular", Breaks: "S7", Statement: "the example document's type: sessions",
		Profile: observed, Tags: "@get,@list",
		Rewrite: static(eachSession(func(res map[string]any) { res["type"] = "session" }))},
	{Name: "log-levels-as-strings", Breaks: "S8", Statement: `example: "log_info": false, … (booleans)`,
		Profile: observed, Tags: "@get",
		Rewrite: static(eachAttributes(func(a map[string]any) {
			p := object(a, "parameters")
			for k := range p {
				stringify(p, k)
			}
		}))},
	{Name: "memory-total-off-by-one", Breaks: "S9", Statement: "example: memory totals add up",
		Profile: observed, Tags: "@get",
		Rewrite: static(eachAttributes(offsetMemoryTotal))},
	{Name: "service-relationship-missing", Breaks: "S2", Statement: "Each session is created on a service (relationships.services)",
		Profile: observed, Tags: "@get,@list",
		Rewrite: static(eachSession(func(res map[string]any) { delete(object(res, "relationships"), "services") }))},
	{Name: "service-always-rw-split", Breaks: "S2", Statement: "Each session is created on a service and each service can have multiple sessions.",
		Profile: observed, Tags: "@read-connection-router",
		Rewrite: static(eachSession(func(res map[string]any) {
			data, _ := object(object(res, "relationships"), "services")["data"].([]any)
			for _, d := range data {
				if m, ok := d.(map[string]any); ok {
					m["id"] = "RW-Split-Router"
				}
			}
		}))},

	// Links.
	{Name: "links-without-trailing-slash", Breaks: "S10", Statement: "example: every link ends in /",
		Profile: observed, Tags: "@get,@list,@fields",
		Rewrite: static(editResponse(getAny, func(_ *http.Request, c *captured) {
			c.body = []byte(strings.ReplaceAll(string(c.body), `/"`, `"`))
		}))},
	{Name: "links-relative", Breaks: "A37", Statement: "Host: The address and port of the server (links are absolute, built from it)",
		Profile: observed, Tags: "@get,@list",
		Rewrite: static(editResponse(getAny, func(r *http.Request, c *captured) {
			c.body = []byte(strings.ReplaceAll(string(c.body), `"http://`+r.Host, `"`))
		}))},
	{Name: "links-ignore-host", Breaks: "A37", Statement: "Host: The address and port of the server (links use the address the client used)",
		Profile: observed, Tags: "@get,@list",
		Rewrite: static(editResponse(getAny, func(r *http.Request, c *captured) {
			c.body = []byte(strings.ReplaceAll(string(c.body), `"http://`+r.Host, `"http://127.0.0.1:8989`))
		}))},

	// Query parameters ignored or half applied.
	{Name: "fields-ignored", Breaks: "A16", Statement: "fields[TYPE] … controls which fields are returned",
		Profile: observed, Tags: "@fields",
		Rewrite: static(dropQuery(getAny, "fields["))},
	{Name: "fields-nested-pointers-cut", Breaks: "A16", Statement: "fields[TYPE] … a comma-separated list of JSON Pointers",
		Profile: observed, Tags: "@fields",
		Rewrite: static(editQuery(getAny, func(q url.Values) {
			for k, vs := range q {
				if strings.HasPrefix(k, "fields[") {
					var items []string
					for _, it := range strings.Split(vs[0], ",") {
						first, _, _ := strings.Cut(it, "/")
						items = append(items, first)
					}
					q.Set(k, strings.Join(items, ","))
				}
			}
		}))},
	{Name: "fields-drop-relationships", Breaks: "A16", Statement: "Only fields in objects in the attributes and relationships objects are inspected",
		Profile: observed, Tags: "@fields",
		Rewrite: static(editJSON(func(r *http.Request) bool { return getAny(r) && r.URL.Query().Has("fields[sessions]") },
			func(_ *http.Request, doc map[string]any) {
				for _, res := range resources(doc) {
					delete(res, "relationships")
				}
			}))},
	{Name: "fields-first-row-only", Breaks: "A16", Statement: "fields[TYPE] … controls which fields are returned (for every resource of a collection)",
		Profile: observed, Tags: "@fields",
		Rewrite: func(env Env) Middleware {
			return firstRowOnly(env, func(k string) bool { return strings.HasPrefix(k, "fields[") })
		}},
	{Name: "fields-any-type", Breaks: "A17", Statement: "The TYPE value in the fields parameter must be the resource type that is being retrieved",
		Profile: observed, Tags: "@fields",
		Rewrite: static(editQuery(getAny, func(q url.Values) {
			for k, vs := range q {
				if strings.HasPrefix(k, "fields[") {
					q.Del(k)
					q["fields[sessions]"] = vs
				}
			}
		}))},
	{Name: "filter-ignored", Breaks: "A18", Also: []string{"A21"}, Statement: "filter=json_ptr=expr … controls which rows are returned",
		Profile: observed, Tags: "@filter && ~@negative",
		Rewrite: static(dropQuery(getList, "filter"))},
	{Name: "filter-first-row-only", Breaks: "A29", Statement: "Each resource in a resource collection that evaluates to a true value will be kept … All rows that evaluate to false are removed.",
		Profile: observed, Tags: "@filter && ~@negative",
		Rewrite: func(env Env) Middleware { return firstRowOnly(env, isFilterKey) }},
	{Name: "filter-applied-to-single", Breaks: "A19", Statement: "Requests to individual resources are not filtered.",
		Profile: observed, Tags: "@filter && ~@negative",
		Rewrite: filterSingle},
	{Name: "filter-ne-as-eq", Breaks: "A31", Statement: "the operators eq, ne, lt, le, ge, gt, and, or, not",
		Moot:    []string{"filter-expressions-ignored"},
		Profile: observed, Tags: "@filter && ~@negative",
		Rewrite: static(editQuery(getList, func(q url.Values) {
			if v := q.Get("filter"); v != "" {
				q.Set("filter", strings.ReplaceAll(v, "ne(", "eq("))
			}
		}))},
	{Name: "filter-not-reads-one-expression", Breaks: "A30", Statement: "The logical operators allow one or more sub-expressions.",
		Moot:    []string{"filter-expressions-ignored"},
		Profile: observed, Tags: "@filter && ~@negative",
		Rewrite: static(editQuery(getList, func(q url.Values) {
			if v := q.Get("filter"); v != "" {
				q.Set("filter", notFirstOnly(v))
			}
		}))},
	{Name: "jsonpath-filter-ignored", Breaks: "A22", Statement: "filter[json_path]=expr …",
		Moot:    []string{"jsonpath-filter-ignored"},
		Profile: observed, Tags: "@jsonpath && ~@negative",
		Rewrite: static(dropQuery(getList, "filter["))},
	{Name: "jsonpath-first-filter-only", Breaks: "A25", Statement: "If multiple filter[json_path]=expr parameters are found in the request, all returned values must match all of them.",
		Moot:    []string{"jsonpath-filter-ignored"},
		Profile: observed, Tags: "@jsonpath && ~@negative",
		Rewrite: static(editRequest(getList, firstJSONPathOnly))},
	{Name: "page-size-ignored", Breaks: "A26", Statement: "page[size] … If pagination is used, the links object will have pagination links",
		Profile: observed, Tags: "@paging",
		Rewrite: static(dropQuery(getList, "page[size]"))},
	{Name: "page-number-off-by-one", Breaks: "A27", Statement: "page[number] … The first page of results starts from 0",
		Profile: observed, Tags: "@paging",
		Rewrite: static(editQuery(getList, func(q url.Values) {
			if n, err := strconv.Atoi(q.Get("page[number]")); err == nil && q.Has("page[size]") {
				q.Set("page[number]", strconv.Itoa(n+1))
			}
		}))},
	{Name: "page-next-link-missing", Breaks: "A26", Statement: "the links object will have pagination links to the next page if more elements are available",
		Profile: observed, Tags: "@paging",
		Rewrite: static(editJSON(getList, func(_ *http.Request, doc map[string]any) { delete(object(doc, "links"), "next") }))},
	{Name: "page-next-link-same-page", Breaks: "A26", Statement: "the links object will have pagination links to the next page",
		Profile: observed, Tags: "@paging",
		Rewrite: static(editJSON(getList, func(r *http.Request, doc map[string]any) {
			links := object(doc, "links")
			if next, ok := links["next"].(string); ok {
				n := r.URL.Query().Get("page[number]")
				if n == "" {
					n = "0"
				}
				links["next"] = pageNumber.ReplaceAllString(next, "${1}"+n)
			}
		}))},
	{Name: "page-number-without-size", Breaks: "A27", Statement: "If defined, page[size] must also be defined, otherwise this parameter is ignored.",
		Profile: observed, Tags: "@paging",
		Rewrite: static(editQuery(getList, func(q url.Values) {
			if q.Has("page[number]") && !q.Has("page[size]") {
				q.Set("page[size]", "1")
			}
		}))},
	{Name: "page-size-trailing-junk", Breaks: "A26", Statement: "The value must be a valid positive integer, otherwise the parameter is ignored.",
		Profile: documented, Reproduces: "page-size-trailing-junk-accepted", Tags: "@paging",
		Rewrite: static(editQuery(getList, func(q url.Values) {
			if v := q.Get("page[size]"); v != "" {
				if d := leadingDigits(v); d != "" && d != "0" {
					q.Set("page[size]", d)
				}
			}
		}))},
	{Name: "pretty-ignored", Breaks: "A15", Statement: "pretty … If … false … compact format. All resources support this parameter.",
		Profile: observed, Tags: "@pretty",
		Rewrite: static(dropQuery(always, "pretty"))},
	{Name: "pretty-only-false", Breaks: "A14", Statement: "All parameters that use boolean values use the same rules … both pretty=off and pretty=false disable the pretty option.",
		Profile: observed, Tags: "@pretty",
		Rewrite: static(editQuery(always, func(q url.Values) {
			if v := q.Get("pretty"); v != "false" && v != "true" {
				q.Del("pretty")
			}
		}))},
	{Name: "compact-by-default", Breaks: "A15", Statement: "The default value for this parameter is true.",
		Profile: observed, Tags: "@pretty",
		Rewrite: static(editQuery(always, func(q url.Values) {
			if !q.Has("pretty") {
				q.Set("pretty", "false")
			}
		}))},
	{Name: "rdns-ignored", Breaks: "S6", Statement: "This endpoint also supports the rdns=true parameter, which instructs MaxScale to perform reverse DNS on the client IP address.",
		Profile: observed, Tags: "@get",
		Rewrite: static(dropQuery(getAny, "rdns"))},
	{Name: "rdns-always", Breaks: "S6", Statement: "the rdns=true parameter … instructs MaxScale to perform reverse DNS (and only then)",
		Profile: observed, Tags: "@get",
		Rewrite: static(editQuery(getAny, func(q url.Values) { q.Set("rdns", "true") }))},

	// Kill and ttl.
	{Name: "kill-leaves-client-connected", Breaks: "S24", Statement: "DELETE /v1/sessions/:id … causes the session to be forcefully closed.",
		Profile: documented, Tags: "@kill", Rewrite: killLeavesClient},
	{Name: "kill-ignored", Breaks: "S24", Statement: "DELETE /v1/sessions/:id … causes the session to be forcefully closed.",
		Profile: documented, Tags: "@kill",
		Rewrite: static(answer(isKillNow, http.StatusNoContent, nil))},
	{Name: "killed-session-still-listed", Breaks: "S11", Statement: "GET /v1/sessions … Get all sessions (a killed session is no longer one)",
		Profile: documented, Tags: "@kill,@lifecycle", Rewrite: killedStillListed},
	{Name: "ttl-ignored", Breaks: "S25", Also: []string{"S27"}, Statement: "ttl - The time after which the session is killed.",
		Profile: observed, Tags: "@kill,@lifecycle",
		Rewrite: static(dropQuery(kill, "ttl"))},
	{Name: "ttl-never-kills", Breaks: "S25", Statement: "ttl - The time after which the session is killed.",
		Profile: documented, Tags: "@kill,@lifecycle",
		Rewrite: static(answer(func(r *http.Request) bool { return kill(r) && !isKillNow(r) }, http.StatusNoContent, nil))},
	{Name: "ttl-invalid-delays", Breaks: "S26", Statement: "If this parameter is not given, the session is killed immediately.",
		Profile: observed, Tags: "@kill",
		Rewrite: static(editQuery(func(r *http.Request) bool { return kill(r) && r.URL.Query().Has("ttl") && isKillNow(r) },
			func(q url.Values) { q.Set("ttl", "30") }))},

	// PATCH.
	{Name: "patch-wrong-parameter", Breaks: "S14", Statement: "The log_debug, log_info, log_notice, log_warning and log_error boolean parameters control whether the associated logging level is enabled",
		Profile: documented, Tags: "@update",
		Rewrite: static(editBody(patch, func(_ *http.Request, doc map[string]any) {
			p := parameters(doc)
			for i, l := range logLevels {
				if v, ok := p[l]; ok {
					delete(p, l)
					p[logLevels[(i+1)%len(logLevels)]+"\x00"] = v
				}
			}
			for k, v := range p {
				if name, ok := strings.CutSuffix(k, "\x00"); ok {
					delete(p, k)
					p[name] = v
				}
			}
		}))},
	{Name: "patch-sets-every-level", Breaks: "S14", Statement: "The … boolean parameters control whether the associated logging level is enabled",
		Profile: documented, Tags: "@update",
		Rewrite: static(editBody(patch, func(_ *http.Request, doc map[string]any) {
			p := parameters(doc)
			for _, l := range logLevels {
				if p[l] == true {
					for _, all := range logLevels {
						p[all] = true
					}
					return
				}
			}
		}))},
	{Name: "patch-false-ignored", Breaks: "S14", Statement: "The … boolean parameters control whether the associated logging level is enabled (and disabled)",
		Profile: observed, Tags: "@update",
		Rewrite: static(editBody(patch, func(_ *http.Request, doc map[string]any) {
			p := parameters(doc)
			for k, v := range p {
				if v == false {
					delete(p, k)
				}
			}
		}))},
	{Name: "patch-changes-every-session", Breaks: "S12", Statement: "PATCH /v1/sessions/:id … the new configuration of the session",
		Profile: observed, Tags: "@update", Rewrite: patchEverySession},
	{Name: "patch-keeps-old-filters", Breaks: "S15", Also: []string{"A12"}, Statement: "The filters that a session uses can be updated by re-defining the filter relationship of the session.",
		Profile: observed, Tags: "@filters", Rewrite: keepOldFilters},
	{Name: "patch-filters-reversed", Breaks: "S17", Statement: "The order in which the filters are defined in the request body is the order in which the filters are installed",
		Profile: observed, Tags: "@filters",
		Rewrite: static(editBody(patch, func(_ *http.Request, doc map[string]any) {
			if rel, list, ok := filterList(doc); ok {
				for i, j := 0, len(list)-1; i < j; i, j = i+1, j-1 {
					list[i], list[j] = list[j], list[i]
				}
				rel["data"] = list
			}
		}))},
	{Name: "patch-empty-filters-ignored", Breaks: "A13", Statement: "To completely remove all relationships from an object, the data field … must be set to an empty array.",
		Profile: documented, Tags: "@filters",
		Rewrite: static(editBody(patch, func(_ *http.Request, doc map[string]any) {
			if _, list, ok := filterList(doc); ok && len(list) == 0 {
				delete(object(doc, "data"), "relationships")
			}
		}))},

	// Restart.
	{Name: "restart-renews-nothing", Breaks: "S19", Also: []string{"S21"}, Statement: "POST /v1/sessions/:id/restart … all backend connections will be closed and then opened again.",
		Profile: documented, Tags: "@restart && ~@exclusive",
		Rewrite: static(answer(on(http.MethodPost, restartOnePath), http.StatusNoContent, nil))},
	{Name: "restart-all-renews-nothing", Breaks: "S23", Statement: "POST /v1/sessions/restart … does the same thing as the /v1/sessions/:id/restart endpoint except that it applies to all sessions.",
		Profile: documented, Tags: "@restart && @exclusive",
		Rewrite: static(answer(on(http.MethodPost, restartAllPath), http.StatusNoContent, nil))},
	{Name: "restart-renews-at-once", Breaks: "S19", Statement: "restart … backend connections … opened again (in 24.02 only at the client's next query: ledger restart-deferred-to-next-query)",
		Profile: observed, Tags: "@restart", Rewrite: restartAtOnce},

	// ETags and conditional requests.
	{Name: "etag-never-changes", Breaks: "A47", Statement: "ETag: … The value of this header changes whenever a resource is modified via the REST API.",
		Profile: observed, Tags: "@etag",
		Rewrite: static(editResponse(always, func(_ *http.Request, c *captured) {
			if c.header.Get("ETag") != "" {
				c.header.Set("ETag", `"0000000000000000000000000000000000000001"`)
			}
		}))},
	{Name: "etag-changes-every-request", Breaks: "A47", Statement: "ETag: … It will not change if an internal MaxScale event … causes a change.",
		Profile: documented, Reproduces: "etag-changes-on-every-get", Tags: "@etag", Rewrite: etagPerResponse},
	{Name: "if-none-match-ignored", Breaks: "A40", Also: []string{"A48", "A55"}, Statement: "If-None-Match: If the content has not changed the server responds with a 304",
		Profile: documented, Tags: "@conditional",
		Rewrite: static(editHeader(always, func(h http.Header) { h.Del("If-None-Match") }))},
	{Name: "if-match-ignored", Breaks: "A38", Also: []string{"A48", "A63"}, Statement: "If-Match: The request is performed only if the provided ETag value matches the one on the server.",
		Profile: documented, Tags: "@conditional",
		Rewrite: static(editHeader(always, func(h http.Header) { h.Del("If-Match") }))},
	{Name: "if-modified-since-ignored", Breaks: "A39", Also: []string{"A55"}, Statement: "If-Modified-Since: If the content has not changed the server responds with a 304 status code.",
		Profile: observed, Tags: "@conditional",
		Rewrite: static(editHeader(always, func(h http.Header) { h.Del("If-Modified-Since") }))},
	{Name: "if-unmodified-since-ignored", Breaks: "A41", Also: []string{"A63"}, Statement: "If-Unmodified-Since: The request is performed only if the requested resource has not been modified since the provided date.",
		Profile: observed, Tags: "@conditional",
		Rewrite: static(editHeader(always, func(h http.Header) { h.Del("If-Unmodified-Since") }))},
	{Name: "last-modified-missing", Breaks: "A49", Statement: `Last-Modified: The date when the resource was last modified in "HTTP-date" format.`,
		Profile: observed, Tags: "@headers,@conditional",
		Rewrite: static(editResponse(always, func(_ *http.Request, c *captured) { c.header.Del("Last-Modified") }))},

	// Authentication and authorisation.
	{Name: "wrong-password-accepted", Breaks: "A1", Also: []string{"A35"}, Statement: "The MaxScale REST API uses HTTP Basic Access authentication with the MaxScale administrative interface users.",
		Profile: observed, Tags: "@auth",
		Rewrite: func(env Env) Middleware {
			return editRequest(always, func(r *http.Request) {
				if u, p, ok := r.BasicAuth(); ok && u == env.User && p != env.Password {
					r.SetBasicAuth(env.User, env.Password)
				}
			})
		}},
	{Name: "no-credentials-accepted", Breaks: "A59", Also: []string{"A35"}, Statement: "401 Unauthorized – Authentication is required.",
		Profile: observed, Tags: "@auth",
		Rewrite: func(env Env) Middleware {
			return editRequest(always, func(r *http.Request) {
				if r.Header.Get("Authorization") == "" && len(r.Cookies()) == 0 {
					r.SetBasicAuth(env.User, env.Password)
				}
			})
		}},
	{Name: "read-only-user-writes", Breaks: "A60", Statement: "403 Forbidden – … the client does not have the necessary permissions for the resource.",
		Profile: observed, Tags: "@security",
		Rewrite: func(env Env) Middleware {
			return editRequest(isWrite, func(r *http.Request) {
				if u, _, ok := r.BasicAuth(); ok && u == env.ReadOnlyUser {
					r.SetBasicAuth(env.User, env.Password)
				}
			})
		}},
	{Name: "token-writes-whatever-its-account", Breaks: "A60", Statement: "403 Forbidden – … the client does not have the necessary permissions (a read-only account's token)",
		Profile: observed, Tags: "@jwt",
		Rewrite: func(env Env) Middleware {
			return editRequest(isWrite, func(r *http.Request) {
				if strings.HasPrefix(r.Header.Get("Authorization"), "Bearer ") {
					r.SetBasicAuth(env.User, env.Password)
				}
			})
		}},
	{Name: "invalid-token-accepted", Breaks: "A6", Statement: "the generated token must be presented in the Authorization header with the Bearer authentication scheme",
		Profile: observed, Tags: "@jwt",
		Rewrite: func(env Env) Middleware {
			return editRequest(always, func(r *http.Request) {
				if tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer "); ok && strings.Count(tok, ".") != 2 {
					r.SetBasicAuth(env.User, env.Password)
				}
			})
		}},
	{Name: "www-authenticate-missing", Breaks: "A51", Statement: "WWW-Authenticate: The requested authentication method. For example, WWW-Authenticate: Basic",
		Profile: observed, Tags: "@auth",
		Rewrite: static(editResponse(always, func(_ *http.Request, c *captured) { c.header.Del("WWW-Authenticate") }))},
	{Name: "token-cookie-not-strict", Breaks: "A4", Statement: "stored in the token_sig cookie using the SameSite=Strict and HttpOnly cookie options",
		Profile: observed, Tags: "@jwt",
		Rewrite: static(editResponse(always, func(_ *http.Request, c *captured) {
			for i, v := range c.header.Values("Set-Cookie") {
				c.header["Set-Cookie"][i] = strings.ReplaceAll(v, "SameSite=Strict", "SameSite=Lax")
			}
		}))},
	{Name: "token-max-age-ignored", Breaks: "A5", Statement: "The token validity period can be set with the max-age request parameter",
		Profile: observed, Tags: "@jwt",
		Rewrite: static(dropQuery(always, "max-age"))},

	// Error documents.
	{Name: "errors-as-plain-text", Breaks: "A56", Statement: "the body of the response MAY contain a JSON representation of the error",
		Profile: observed, Tags: "@negative,@auth",
		Rewrite: static(editResponse(always, errorsAsText))},
	{Name: "errors-not-json-api", Breaks: "A8", Statement: "All resources conform to the JSON API specification (errors is an array of error objects)",
		Profile: observed, Tags: "@negative,@auth",
		Rewrite: static(editJSON(always, errorsAsObject))},
	{Name: "errors-reworded", Breaks: "A57", Statement: "The error field contains a short error description (MaxScale's own texts)",
		Profile: observed, Tags: "@negative,@auth",
		Rewrite: static(editJSON(always, rewordErrors))},

	// Headers and routes.
	{Name: "allow-missing", Breaks: "A44", Statement: "Allow: All resources return the Allow header with the supported HTTP methods.",
		Profile: documented, Reproduces: "options-accept-not-allow", Tags: "@headers",
		Rewrite: static(editResponse(always, func(_ *http.Request, c *captured) { c.header.Del("Allow") }))},
	{Name: "accept-patch-missing", Breaks: "A45", Statement: "Accept-Patch: All PATCH capable resources return the Accept-Patch: application/json-patch header.",
		Profile: documented, Reproduces: "no-accept-patch", Tags: "@headers",
		Rewrite: static(editResponse(always, func(_ *http.Request, c *captured) { c.header.Del("Accept-Patch") }))},
	{Name: "date-two-digit-year", Breaks: "A46", Statement: "Date: Returns the RFC 1123 standard form date when the reply was sent.",
		Profile: documented, Reproduces: "date-two-digit-year", Tags: "@headers",
		Rewrite: static(editResponse(always, twoDigitYear))},
	{Name: "json-as-text-plain", Breaks: "A8", Statement: "All resources conform to the JSON API specification (served as JSON)",
		Profile: observed, Tags: "@headers",
		Rewrite: static(editResponse(always, func(_ *http.Request, c *captured) {
			if strings.HasPrefix(c.header.Get("Content-Type"), "application/json") {
				c.header.Set("Content-Type", "text/plain")
			}
		}))},
	{Name: "method-override-ignored", Breaks: "A42", Statement: "X-HTTP-Method-Override … a client can, for example, perform a POST, PATCH or DELETE request with the PUT method",
		Profile: documented, Tags: "@headers",
		Rewrite: static(editHeader(always, func(h http.Header) { h.Del("X-HTTP-Method-Override") }))},
	{Name: "method-override-any-case", Breaks: "A43", Statement: "The HTTP method must be in uppercase",
		Profile: documented, Tags: "@headers",
		Rewrite: static(editHeader(always, func(h http.Header) {
			if v := h.Get("X-HTTP-Method-Override"); v != "" {
				h.Set("X-HTTP-Method-Override", strings.ToUpper(v))
			}
		}))},
	{Name: "content-type-not-checked", Breaks: "A36", Also: []string{"A64"}, Statement: "All PATCH requests must use the Content-Type: application/json media type",
		Profile: documented, Reproduces: "content-type-not-checked", Tags: "@headers",
		Rewrite: static(editHeader(func(r *http.Request) bool { return r.Method == http.MethodPatch }, func(h http.Header) {
			h.Set("Content-Type", "application/json")
		}))},
	{Name: "v1-prefix-required", Breaks: "A10", Statement: "the use of the version prefix /v1/ is optional",
		Profile: observed, Tags: "@api",
		Rewrite: static(answer(func(r *http.Request) bool { return strings.HasPrefix(r.URL.Path, "/sessions") }, http.StatusNotFound, nil))},
	{Name: "no-health-check", Breaks: "A9", Also: []string{"A53"}, Statement: "the REST API will respond with a HTTP 200 OK response to GET requests on the root resource (/) as well as the namespace root resource (/v1/)",
		Profile: observed, Tags: "@api",
		Rewrite: static(answer(func(r *http.Request) bool { return r.URL.Path == "/" || r.URL.Path == "/v1/" }, http.StatusNotFound, nil))},
	{Name: "trailing-slash-not-found", Breaks: "S10", Also: []string{"A53"}, Statement: "example: every link ends in / (and the resource answers there)",
		Profile: observed, Tags: "@get,@list",
		Rewrite: static(answer(func(r *http.Request) bool {
			return strings.HasSuffix(r.URL.Path, "/") && (sessionPath.MatchString(r.URL.Path) || collectionPath.MatchString(r.URL.Path))
		}, http.StatusNotFound, nil))},

	// Identity and life of a session.
	{Name: "get-one-answers-the-collection", Breaks: "S3", Statement: "GET /v1/sessions/:id … Get a single session.",
		Profile: observed, Tags: "@get,@api",
		Rewrite: static(editRequest(getOne, func(r *http.Request) { r.URL.Path, r.URL.RawPath = "/v1/sessions", "" }))},
	{Name: "malformed-id-read-as-number", Breaks: "S4", Statement: ":id must be a valid session ID.",
		Profile: observed, Tags: "@errors",
		Rewrite: static(editRequest(always, func(r *http.Request) {
			r.URL.Path = idWithJunk.ReplaceAllString(r.URL.Path, "/sessions/$1")
			r.URL.RawPath = ""
		}))},
	{Name: "session-id-not-connection-id", Breaks: "S5", Statement: "The session ID is the same that is exposed to the client as the connection ID.",
		Profile: observed, Tags: "@get", Rewrite: static(shiftIDs(1000))},
	{Name: "ended-session-updatable", Breaks: "S13", Statement: "The :id must be a valid session ID that is active.",
		Profile: observed, Tags: "@update && @negative",
		Rewrite: static(editResponse(patch, func(_ *http.Request, c *captured) {
			if c.status == http.StatusNotFound {
				c.status, c.body = http.StatusOK, nil
			}
		}))},
	{Name: "filters-shown-late", Breaks: "S16", Statement: "This causes new filter sessions to be opened immediately.",
		Profile: observed, Tags: "@filters", Rewrite: filtersShownLate},
	{Name: "restart-forgets-the-client", Breaks: "S20", Statement: "this behaves as if a new session was started (of the same client)",
		Profile: observed, Tags: "@restart", Rewrite: restartForgetsClient},
	{Name: "auth-token-missing", Breaks: "A2", Statement: "GET /v1/auth … can be used to generate new tokens which are returned in the following form (meta.token)",
		Profile: observed, Tags: "@jwt",
		Rewrite: static(editJSON(on(http.MethodGet, authPath), func(_ *http.Request, doc map[string]any) { delete(object(doc, "meta"), "token") }))},
	{Name: "relationship-self-link-wrong", Breaks: "A11", Statement: "In the relationships objects, all resources have a self link that points to the resource itself.",
		Profile: observed, Tags: "@get",
		Rewrite: static(eachSession(func(res map[string]any) {
			links := object(object(object(res, "relationships"), "services"), "links")
			if rel, ok := links["related"]; ok {
				links["self"] = rel
			}
		}))},
	{Name: "filters-relationship-url-ignored", Breaks: "A12", Statement: "To modify the relationships of existing objects, perform a PATCH request with the new definition of the relevant relationship.",
		Profile: documented, Tags: "@filters",
		Rewrite: static(answer(on(http.MethodPatch, filtersRelPath), http.StatusNoContent, nil))},
	{Name: "filter-number-as-string", Breaks: "A20", Statement: "either a valid JSON type as the value … If given only a JSON value, the stored value is compared for equality.",
		Profile: observed, Tags: "@filter && ~@negative",
		Rewrite: static(editQuery(getList, func(q url.Values) {
			if ptr, val, ok := strings.Cut(q.Get("filter"), "="); ok && val != "" && leadingDigits(val) == val {
				q.Set("filter", ptr+`="`+val+`"`)
			}
		}))},
	{Name: "jsonpath-bracket-notation-unsupported", Breaks: "A23", Statement: `JSONPath syntax: "dot notation", "bracket notation", …`,
		Profile: observed, Tags: "@jsonpath && ~@negative",
		Rewrite: static(answer(func(r *http.Request) bool {
			return getList(r) && hasQuery(r, func(k string) bool { return strings.HasPrefix(k, "filter[") && strings.Contains(k, "['") })
		}, http.StatusBadRequest, []byte(`{"errors": [{"detail": "Invalid JSONPath"}]}`)))},
	{Name: "jsonpath-wildcard-first-member-only", Breaks: "A24", Statement: "If the JSONPath expression returns multiple objects, the comparison is done for each element and if any of them matches, the object is considered to match.",
		Moot:    []string{"jsonpath-filter-ignored"},
		Profile: observed, Tags: "@jsonpath && ~@negative",
		Rewrite: static(editQuery(getList, func(q url.Values) {
			for k, vs := range q {
				if strings.HasPrefix(k, "filter[") && strings.HasSuffix(k, ".*]") {
					q.Del(k)
					q[strings.TrimSuffix(k, ".*]")+"._client_name]"] = vs
				}
			}
		}))},
	{Name: "filter-id-numbers-as-strings", Breaks: "A32", Also: []string{"A33", "A34"}, Statement: "filter=id=and(ge(50),le(100)) selects sessions … that have an ID between 50 and 100",
		Moot:    []string{"filter-expressions-ignored"},
		Profile: documented, Reproduces: "id-is-string-in-filters", Tags: "@filter && ~@negative",
		Rewrite: static(editQuery(getList, func(q url.Values) {
			if v, ok := strings.CutPrefix(q.Get("filter"), "id="); ok {
				q.Set("filter", "id="+bareNumber.ReplaceAllString(v, `("$1")`))
			}
		}))},
}
