package container

import (
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
)

// fakeUsers is a REST API with MaxScale's user handling, as far as
// ensureReadOnlyUser uses it: GET /v1/maxscale checks basic credentials,
// POST /v1/users/inet adds a user and answers created.
type fakeUsers struct {
	mu      sync.Mutex
	users   map[string]string
	created int // status of a POST that creates
	posts   []string
}

func (f *fakeUsers) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	u, p, _ := r.BasicAuth()
	if pw, ok := f.users[u]; !ok || pw != p {
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	switch {
	case r.Method == http.MethodGet && r.URL.Path == "/v1/maxscale":
		w.WriteHeader(http.StatusOK)
	case r.Method == http.MethodPost && r.URL.Path == "/v1/users/inet" && u == AdminUser:
		body, _ := io.ReadAll(r.Body)
		f.posts = append(f.posts, string(body))
		if f.created == http.StatusNoContent {
			f.users[ReadOnlyUser] = ReadOnlyPassword
		}
		w.WriteHeader(f.created)
	default:
		w.WriteHeader(http.StatusNotFound)
	}
}

func TestEnsureReadOnlyUser(t *testing.T) {
	tests := []struct {
		name      string
		hasBasic  bool
		created   int
		wantPosts int
		want      bool
	}{
		{name: "already there (the simulator)", hasBasic: true, wantPosts: 0, want: true},
		{name: "created (MaxScale)", created: http.StatusNoContent, wantPosts: 1, want: true},
		{name: "refused: none", created: http.StatusForbidden, wantPosts: 1, want: false},
		{name: "no such route: none", created: http.StatusNotFound, wantPosts: 1, want: false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := &fakeUsers{users: map[string]string{AdminUser: AdminPassword}, created: tt.created}
			if tt.hasBasic {
				f.users[ReadOnlyUser] = ReadOnlyPassword
			}
			srv := httptest.NewServer(f)
			got, err := ensureReadOnlyUser(t.Context(), srv.URL)
			if err != nil || got != tt.want {
				t.Fatalf("ensureReadOnlyUser = %v, %v; want %v", got, err, tt.want)
			}
			if len(f.posts) != tt.wantPosts {
				t.Fatalf("POSTs = %v, want %d", f.posts, tt.wantPosts)
			}
			srv.Close()
			if _, err := ensureReadOnlyUser(t.Context(), srv.URL); err == nil {
				t.Error("a server that does not answer: no error")
			}
			if tt.wantPosts > 0 && f.posts[0] != `{"data":{"id":"basic","type":"inet","attributes":{"password":"mariadb","account":"basic"}}}` {
				t.Errorf("POST body = %s", f.posts[0])
			}
		})
	}
}
