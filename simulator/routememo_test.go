package simulator

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"

	"github.com/mxharness/mxharness/spec"
)

// TestRouteMemoAnswersAsTheRouter: a remembered route is the router's own
// answer for that method and path (a hit and a miss alike), paths the
// router tells apart by their escaping stay apart, and the memo stays
// within its bounds.
func TestRouteMemoAnswersAsTheRouter(t *testing.T) {
	router, err := spec.NewRouter()
	if err != nil {
		t.Fatal(err)
	}
	var memo routeMemo
	answer := func(got routed) string {
		id := ""
		if got.route != nil {
			id = got.route.Operation.OperationID
		}
		return fmt.Sprintf("%s %v %v", id, got.params, got.err)
	}
	long := "/v1/sessions/" + strings.Repeat("7", rememberedPathMax)
	targets := []string{long, "/v1/sessions", "/v1/sessions/", "/sessions", "/v1/sessions/12", "/v1/sessions/12/",
		"/v1/sessions/a%2Fb", "/v1/sessions/a/b", "/v1/sessions/restart", "/v1/nowhere", "/v1/sessions?page[size]=3"}
	for _, method := range []string{http.MethodGet, http.MethodPatch, http.MethodPost, http.MethodDelete} {
		for _, target := range targets {
			r := httptest.NewRequest(method, target, nil)
			var want routed
			want.route, want.params, want.err = router.FindRoute(r)
			for _, pass := range []string{"miss", "hit"} {
				if got := memo.find(router, r, method); answer(got) != answer(want) || !reflect.DeepEqual(got.params, want.params) {
					t.Errorf("%s %s (%s): memo %s, router %s", method, target, pass, answer(got), answer(want))
				}
			}
		}
	}
	if _, ok := memo.routes[routeKey{http.MethodGet, long, ""}]; ok {
		t.Errorf("a path of %d bytes was remembered, bound %d", len(long), rememberedPathMax)
	}
	for i := range routesRemembered + 10 {
		memo.find(router, httptest.NewRequest(http.MethodGet, fmt.Sprintf("/v1/sessions/%d", i), nil), http.MethodGet)
		if n := len(memo.routes); n > routesRemembered {
			t.Fatalf("%d routes remembered, bound %d", n, routesRemembered)
		}
	}
}
