package simulator

import (
	"strconv"
	"strings"
	"testing"
	"testing/fstest"
)

func TestGUIFiles(t *testing.T) {
	index := `<html><meta name="commitId" content="f72af99"></html>`
	gui := fstest.MapFS{
		"index.html":          {Data: []byte(index)},
		"js/app.1234.js":      {Data: []byte("console.log(1)")},
		"css/app.css":         {Data: []byte("body{}")},
		"fonts/mdi.woff2":     {Data: []byte("wOF2")},
		"LICENSE":             {Data: []byte("BSL")},
		"empty.js":            {Data: nil},
		"sessions/index.html": {Data: []byte("not the API")},
	}
	s := startSim(t, nil, WithGUI(gui), WithCORS("*"))
	html := "text/html"
	for _, tc := range []struct {
		name, method, path, user string
		header                   []string
		status                   int
		body, contentType, cache string // body "" with status 200: not a GUI file
	}{
		{"root is index.html, no credentials", "GET", "/", "", nil, 200, index, html, "public, no-cache"},
		{"v1 root too", "GET", "/v1/", "", nil, 200, index, html, "public, no-cache"},
		{"query ignored", "GET", "/?x=1", "", nil, 200, index, html, "public, no-cache"},
		{"asset cached a year", "GET", "/js/app.1234.js", "", nil, 200, "console.log(1)", "text/javascript", "public, max-age=31536000"},
		{"asset under v1", "GET", "/v1/css/app.css", "", nil, 200, "body{}", "text/css", "public, max-age=31536000"},
		{"trailing slash dropped", "GET", "/css/app.css/", "", nil, 200, "body{}", "text/css", "public, max-age=31536000"},
		{"dot-dot inside the directory", "GET", "/js/../css/app.css", "", nil, 200, "body{}", "text/css", "public, max-age=31536000"},
		{"font", "GET", "/fonts/mdi.woff2", "", nil, 200, "wOF2", "font/woff2", "public, max-age=31536000"},
		{"unknown suffix: no Content-Type", "GET", "/LICENSE", "", nil, 200, "BSL", "", "public, max-age=31536000"},
		{"API path without credentials", "GET", "/sessions", "", nil, 401, "", "", ""},
		{"API path with credentials", "GET", "/maxscale", "admin", nil, 200, "", "", ""},
		{"missing file goes to the API", "GET", "/js/nothing.js", "admin", nil, 404, "", "", ""},
		{"empty file goes to the API", "GET", "/empty.js", "admin", nil, 404, "", "", ""},
		{"a directory goes to the API", "GET", "/js", "admin", nil, 404, "", "", ""},
		{"client-side route: no fallback", "GET", "/dashboard/sessions", "admin", nil, 404, "", "", ""},
		{"HEAD is not a file request", "HEAD", "/", "", nil, 401, "", "", ""},
		{"override does not make a file request", "POST", "/js/app.1234.js", "", []string{"X-HTTP-Method-Override", "GET"}, 401, "", "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			pw := ""
			if tc.user != "" {
				pw = "mariadb"
			}
			r := s.apiAs(t, tc.user, pw, tc.method, tc.path, "", append([]string{"Origin", "http://gui.example"}, tc.header...)...)
			if r.status != tc.status {
				t.Fatalf("%s %s: status = %d, want %d (%s)", tc.method, tc.path, r.status, tc.status, r.body)
			}
			if tc.body == "" {
				if cc := r.header.Get("Cache-Control"); strings.HasPrefix(cc, "public") {
					t.Errorf("%s: answered as a GUI file (Cache-Control %q)", tc.path, cc)
				}
				return
			}
			if string(r.body) != tc.body {
				t.Errorf("%s: body = %q, want %q", tc.path, r.body, tc.body)
			}
			for k, want := range map[string]string{
				"Content-Type": tc.contentType, "Cache-Control": tc.cache, "X-Frame-Options": "Deny",
				"X-XSS-Protection": "1", "Referrer-Policy": "same-origin", "Access-Control-Allow-Origin": "*",
				"Content-Length": strconv.Itoa(len(tc.body)),
			} {
				if got := r.header.Get(k); got != want {
					t.Errorf("%s: %s = %q, want %q", tc.path, k, got, want)
				}
			}
		})
	}
}

func TestGUIFileNames(t *testing.T) {
	for path, want := range map[string]string{
		"/": "index.html", "": "index.html", "/v1": "index.html", "//v1//": "index.html",
		"/v1/js/a.js": "js/a.js", "/js/a.js": "js/a.js", "/v1x/a.js": "v1x/a.js", "/a//b.js": "a/b.js",
		"/..": "", "/../etc/passwd": "", "/js/../../x": "", "/js/..": "",
	} {
		got, ok := guiFile(path)
		if !ok {
			got = ""
		}
		if got != want {
			t.Errorf("guiFile(%q) = %q, want %q", path, got, want)
		}
	}
}
