package simulator

import (
	"net/http"
	"slices"
	"strconv"

	"github.com/mxharness/mxharness/simulator/config"
	"github.com/mxharness/mxharness/simulator/jsonapi"
)

// MaxScaleVersion is the version the default and documented profiles
// report; a release profile reports the newest version of its line that
// the contract records (maxscale-23.08: 23.08.6).
const MaxScaleVersion = "24.02.4"

// The API's objects besides sessions are data: a table of kinds (kinds.go),
// each with the contract's operationIds of its routes, and a function that
// renders its objects from the configuration and the live sessions. One
// pair of handlers serves them all: a collection, or one object found by
// the route's parameter with MaxScale's placeholder check.

// kind is one kind of object of the REST API.
type kind struct {
	// list and get are the operationIds of the collection and of one
	// object ("" when the kind has no such route); a kind with get and no
	// param is a single resource (/v1/maxscale).
	list, get string
	// path is the collection's path under the base, with its trailing
	// slash ("monitors/", "maxscale/threads/").
	path string
	// param is the get route's path parameter; noun is MaxScale's word
	// for it in "<x> is not a <noun>" (the placeholder's name).
	param, noun string
	// objects renders every object of the kind for one request.
	objects func(v *view) []map[string]any
	// changes are the routes that would change the kind's objects; what
	// names an object in their refusals.
	changes []change
	what    string
}

// change is one route that changes an object of a kind (or, on the
// collection, creates one). The simulator refuses every one: see
// readOnly.
type change struct {
	op string // operationId
	// body: MaxScale's REQ_BODY, 400 Missing request body without one.
	body bool
	// done says what did not happen ("was not modified"); on the
	// collection no object is named ("no server was created").
	done       string
	collection bool
	// rels are the relationship types of a relationships route; another
	// type has no route in MaxScale (404, no body).
	rels []string
	// apply makes the part of the change the simulator supports; it
	// returns nil when the change asks for more, which is refused whole.
	apply func(q *request) *reply
}

// The changes MaxScale routes (resource.cc RootResource): create, update
// and destroy, a relationships PATCH, and PUT actions (stop, start, set,
// clear).
func creates(op string) change  { return change{op: op, body: true, collection: true} }
func updates(op string) change  { return change{op: op, body: true, done: "was not modified"} }
func destroys(op string) change { return change{op: op, done: "was not destroyed"} }
func relates(op string, types ...string) change {
	return change{op: op, body: true, done: "was not modified", rels: types}
}
func acts(op, done string) change { return change{op: op, done: done} }

// view is what one request's renderers share: the request, the base of
// its links and the live session counts, taken once.
type view struct {
	s *Server
	q *request
	// links replaces the document's links when a renderer sets it (the
	// log's pages).
	links map[string]any
	// refused is the error reply a renderer answers instead, for a query
	// it cannot take.
	refused *reply

	counted    bool
	perService map[string]int // sessions of each service
	perServer  map[string]int // backend connections to each server
	perThread  map[int]int    // sessions of each routing worker
}

func (s *Server) newView(q *request) *view { return &view{s: s, q: q} }

// count takes the live session counts, once per view.
func (v *view) count() {
	if v.counted {
		return
	}
	v.counted = true
	v.perService, v.perServer, v.perThread = map[string]int{}, map[string]int{}, map[int]int{}
	for _, snap := range v.s.reg.List() {
		v.perService[snap.Service]++
		v.perThread[snap.Thread]++
		for _, b := range snap.Backends {
			v.perServer[b.Server]++
		}
	}
}

// self is the link of an object of kind k.
func (v *view) self(k string, id string) string { return v.q.base + k + id + "/" }

// kindOperations adds the read handlers of every kind to ops.
func (s *Server) kindOperations(ops map[string]operation) {
	for _, k := range s.kinds() {
		if k.list != "" {
			ops[k.list] = operation{handle: func(q *request) reply { return s.listKind(q, k) }}
		}
		if k.get != "" {
			ops[k.get] = operation{handle: func(q *request) reply { return s.getKind(q, k) }}
		}
		for _, c := range k.changes {
			ops[c.op] = s.changeOperation(k, c)
		}
	}
}

// changeOperation refuses a change after MaxScale's checks: the object's
// placeholder, the relationship type, the body.
func (s *Server) changeOperation(k kind, c change) operation {
	op := operation{requireBody: c.body}
	if !c.collection && k.param != "" {
		op.check = func(q *request) *reply {
			if rep := s.checkObject(q, k); rep != nil {
				return rep
			}
			if c.rels != nil && !slices.Contains(c.rels, q.params["relationship"]) {
				return &reply{status: http.StatusNotFound}
			}
			return nil
		}
	}
	op.handle = func(q *request) reply {
		if c.apply != nil {
			if rep := c.apply(q); rep != nil {
				return *rep
			}
		}
		if c.collection {
			return readOnly("no " + k.what + " was created")
		}
		return readOnly(k.named(q) + " " + c.done)
	}
	return op
}

// readOnly answers a change of the configuration: the simulator's is
// read-only, so it refuses as MaxScale refuses a change it cannot make,
// 400 with the reason (resource.cc: runtime_get_json_error), and changes
// nothing.
func readOnly(what string) reply {
	return errorReply(http.StatusBadRequest, "The simulator's configuration is read-only: "+what)
}

// named is "<what> '<name>'" for the object of the route, or what alone
// for a single resource.
func (k kind) named(q *request) string {
	if k.param == "" {
		return k.what
	}
	return k.what + " '" + q.params[k.param] + "'"
}

func (s *Server) listKind(q *request, k kind) reply {
	v := s.newView(q)
	objs := k.objects(v)
	if v.refused != nil {
		return *v.refused
	}
	data := make([]any, len(objs))
	for i, o := range objs {
		data[i] = o
	}
	return v.document(k.path, data)
}

// getKind answers one object, or MaxScale's placeholder 404 (a GET has
// no other check to make first, so the objects are rendered once).
func (s *Server) getKind(q *request, k kind) reply {
	v := s.newView(q)
	objs := k.objects(v)
	if v.refused != nil {
		return *v.refused
	}
	if k.param == "" {
		return v.document(k.path, objs[0])
	}
	id := q.params[k.param]
	i := slices.IndexFunc(objs, func(o map[string]any) bool { return o["id"] == id })
	if i < 0 {
		return notA(id, k)
	}
	return v.document(k.path+id+"/", objs[i])
}

// checkObject is MaxScale's placeholder check: an object of the kind must
// have the name, else "<name> is not a <noun>" (404).
func (s *Server) checkObject(q *request, k kind) *reply {
	name := q.params[k.param]
	if slices.ContainsFunc(k.objects(s.newView(q)), func(o map[string]any) bool { return o["id"] == name }) {
		return nil
	}
	rep := notA(name, k)
	return &rep
}

func notA(name string, k kind) reply {
	return errorReply(http.StatusNotFound, name+" is not a "+k.noun)
}

// document wraps data with the links MaxScale gives a resource document:
// self, or what a renderer chose.
func (v *view) document(path string, data any) reply {
	links := v.links
	if links == nil {
		links = map[string]any{"self": v.q.base + path}
	}
	return reply{status: http.StatusOK, doc: map[string]any{"data": data, "links": links}}
}

// object is a resource object with its self link.
func (v *view) object(id, typ, path string, attrs, rels map[string]any) map[string]any {
	o := map[string]any{"id": id, "type": typ, "attributes": attrs,
		"links": map[string]any{"self": v.self(path, id)}}
	if rels != nil {
		o["relationships"] = rels
	}
	return o
}

// relationship is MaxScale's relationship of the object at owner (a
// self link) to the objects ids of typ.
func (v *view) relationship(owner, typ string, ids []string) map[string]any {
	return relationship(v.q.base, owner, typ, ids)
}

func (s *Server) getAuth(q *request) reply {
	rep := s.auth.TokenReply(q.r, q.identity)
	return reply{status: rep.Status, doc: rep.Doc, header: rep.Header, noValidators: true}
}

// usedBy returns the services whose list (servers or filters) holds name.
func (s *Server) usedBy(name string, list func(config.Service) []string) []string {
	var out []string
	for _, svc := range s.cfg.Services {
		if slices.Contains(list(svc), name) {
			out = append(out, svc.Name)
		}
	}
	return out
}

// monitorOf returns the monitor of the named server and the server's place
// in its list (-1 and an empty monitor when none watches it).
func (s *Server) monitorOf(server string) (config.Monitor, int) {
	for _, m := range s.cfg.Monitors {
		if i := slices.Index(m.Servers, server); i >= 0 {
			return m, i
		}
	}
	return config.Monitor{}, -1
}

// nullable is a JSON null for "", else the string.
func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func itoa(n int) string { return strconv.Itoa(n) }

func httpDate(s *Server) string { return jsonapi.HTTPDate(s.startedAt) }
