package simulator

import (
	"io/fs"
	"net/http"
	"path"
	"strconv"
	"strings"
)

// WithGUI serves the files of a built MaxGUI (the directory MaxScale
// installs as share/gui) the way MaxScale's admin server does with
// admin_gui=true and admin_secure_gui=false (admin.cc, Client::serve_file):
// a GET whose path names a non-empty file of gui is answered with that file
// before authentication, "/" (and "/v1/") with index.html, and every other
// request goes on to the REST API. MaxGUI routes on the URL's fragment
// (#/dashboard/...), so no index.html fallback is needed, and it calls the
// API on the same origin without the /v1 prefix (/auth, /sessions, ...).
func WithGUI(gui fs.FS) Option { return func(o *options) { o.gui = gui } }

// guiContentTypes is MaxScale's suffix table (admin.cc,
// add_content_type_header); a suffix it does not know gets no Content-Type.
var guiContentTypes = map[string]string{
	".bmp": "image/bmp", ".bz": "application/x-bzip", ".bz2": "application/x-bzip2",
	".css": "text/css", ".csv": "text/csv", ".epub": "application/epub+zip",
	".gz": "application/gzip", ".gif": "image/gif", ".htm": "text/html", ".html": "text/html",
	".jpeg": "image/jpeg", ".jpg": "image/jpeg", ".js": "text/javascript",
	".json": "application/json", ".jsonld": "application/ld+json", ".mjs": "text/javascript",
	".mp3": "audio/mpeg", ".mpeg": "video/mpeg", ".otf": "font/otf", ".png": "image/png",
	".pdf": "application/pdf", ".php": "application/php", ".rar": "application/vnd.rar",
	".rtf": "application/rtf", ".svg": "image/svg+xml", ".tar": "application/x-tar",
	".tif": "image/tiff", ".tiff": "image/tiff", ".ts": "video/mp2t", ".ttf": "font/ttf",
	".txt": "text/plain", ".wav": "audio/wav", ".weba": "audio/webm", ".webm": "video/webm",
	".webp": "image/webp", ".woff": "font/woff", ".woff2": "font/woff2",
	".xhtml": "application/xhtml+xml", ".xml": "application/xml",
}

// guiFile maps a request path to a file name in the GUI directory as
// MaxScale's get_filename does: trailing and leading slashes dropped, a
// first segment "v1" dropped, no segments meaning index.html. ok is false
// for a path that leaves the directory or names the directory itself
// (MaxScale's realpath check, and its failed read of a directory).
func guiFile(urlPath string) (name string, ok bool) {
	p := strings.Trim(urlPath, "/")
	if p == "v1" {
		p = ""
	} else {
		p = strings.TrimPrefix(p, "v1/")
	}
	if p == "" {
		return "index.html", true
	}
	name = path.Clean(p)
	return name, fs.ValidPath(name) && name != "."
}

// serveGUI answers r with a GUI file; it reports whether it did. Only a
// real GET qualifies (MaxScale compares the request's own method, before
// X-HTTP-Method-Override), and an empty or unreadable file falls through
// to the REST API as in MaxScale.
func (s *Server) serveGUI(w http.ResponseWriter, r *http.Request) bool {
	if s.gui == nil || r.Method != http.MethodGet {
		return false
	}
	name, ok := guiFile(r.URL.Path)
	if !ok {
		return false
	}
	data, err := fs.ReadFile(s.gui, name)
	if err != nil || len(data) == 0 {
		return false
	}
	h := w.Header()
	s.corsHeaders(h, r)
	suffix := path.Ext(name)
	if ct, ok := guiContentTypes[suffix]; ok {
		h.Set("Content-Type", ct)
	} else {
		h["Content-Type"] = nil // as MaxScale: none, and no sniffing either
	}
	if suffix == ".html" {
		// MaxScale: the browser revalidates the HTML, so an upgrade reloads the GUI.
		h.Set("Cache-Control", "public, no-cache")
	} else {
		h.Set("Cache-Control", "public, max-age=31536000")
	}
	h.Set("X-Frame-Options", "Deny")
	h.Set("X-XSS-Protection", "1")
	h.Set("Referrer-Policy", "same-origin")
	h.Set("Content-Length", strconv.Itoa(len(data))) // as MaxScale's buffer response, not chunked
	w.WriteHeader(http.StatusOK)
	if _, err := w.Write(data); err != nil {
		s.logger.DebugContext(r.Context(), "gui file not written", "path", name, "err", err)
	}
	return true
}
