package browser

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/go-sql-driver/mysql"

	"github.com/mxharness/mxharness/simulator"
	"github.com/mxharness/mxharness/simulator/config"
)

// expectedErrors are the 4xx/5xx answers MaxGUI asks for and handles, by
// "METHOD path?query", with the reason MaxGUI expects them. Any other 4xx
// or 5xx fails the test.
var expectedErrors = map[string]string{
	// Before logging in, App.vue's authCheck asks for the version to learn
	// whether the browser still has a token; the 401 sends it to the login page.
	"GET /maxscale?fields[maxscale]=version 401": "authCheck before login: no token yet, MaxGUI shows the login page",
}

// TestMaxGUIKillsARealSession logs in to MaxGUI served by the simulator,
// finds a real go-sql-driver client's session in the dashboard's sessions
// table, kills it from the GUI and sees the client's connection end.
func TestMaxGUIKillsARealSession(t *testing.T) {
	gui := builtGUI(t)
	chromium := chromiumPath(t)
	shots := screenshotDir(t)

	sim, rec, sqlAddr := startSimulator(t, gui)
	client, sessionID := connectClient(t, sim.URL, sqlAddr)

	ctx, cancel := context.WithTimeout(t.Context(), 3*time.Minute)
	defer cancel()
	ctx, closeBrowser := newBrowser(ctx, t, chromium)
	defer closeBrowser()
	step := func(name, what string, actions ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(ctx, actions...); err != nil {
			shot(ctx, t, shots, name+"-failed")
			t.Fatalf("%s: %v\nrequests so far:\n%s", what, err, rec.table())
		}
		shot(ctx, t, shots, name)
	}

	step("1-login", "open the login page and type admin/mariadb",
		chromedp.Navigate(sim.URL+"/"),
		chromedp.WaitVisible(chromedp.CSS("#username")),
		// No CSS transitions or animations: each wait below sees a settled
		// page (no tab sliding in, no dialog fading out) and the screenshots
		// show what the user ends up seeing.
		chromedp.Evaluate[chromedp.Void](`document.head.appendChild(Object.assign(document.createElement('style'),
			{textContent: '*, *::before, *::after { transition: none !important; animation: none !important }'}))`),
		chromedp.SendKeys(chromedp.CSS("#username"), "admin"),
		chromedp.SendKeys(chromedp.CSS("#password"), "mariadb"),
		waitJS("the sign-in button is enabled", `!document.querySelector('.login-btn').disabled`),
	)
	step("2-dashboard", "sign in and see the dashboard",
		chromedp.Click(chromedp.CSS(".login-btn")),
		waitJS("the dashboard's servers tab lists server1",
			`location.hash.startsWith('#/dashboard/servers') && document.body.innerText.includes('server1')`),
	)
	rowJS := fmt.Sprintf(`[...document.querySelectorAll('.sessions-table tbody tr')].find(r => r.cells[0] && r.cells[0].innerText.trim() === %q)`, sessionID)
	step("3-sessions", "open the sessions tab and see the client's session with its user and service",
		chromedp.Click(chromedp.CSS(`a.v-tab[href="#/dashboard/sessions"]`)),
		waitJS("the session's row shows maxuser@127.0.0.1 and RW-Split-Router",
			`(r => r && r.innerText.includes('maxuser@127.0.0.1') && r.innerText.includes('RW-Split-Router'))(`+rowJS+`)`),
	)
	step("4-service", "open the session's service and see the session among its sessions",
		chromedp.Click(chromedp.JSPath(`(`+rowJS+`).querySelector('a.rsrc-link')`)),
		waitJS("the service page of RW-Split-Router", `location.hash === '#/dashboard/services/RW-Split-Router'`),
		chromedp.Click(chromedp.JSPath(`[...document.querySelectorAll('.v-tab')].find(t => t.innerText.includes('Sessions'))`)),
		waitJS("the service's sessions table shows the session", `(r => r && r.innerText.includes('maxuser@127.0.0.1'))(`+rowJS+`)`),
	)
	step("5-sessions-again", "go back to the dashboard's sessions tab",
		chromedp.NavigateBack(),
		waitJS("the session's row is back", `location.hash === '#/dashboard/sessions' && !!(`+rowJS+`)`),
	)
	step("6-kill-dialog", "hover over the row, click its kill button and see the session in the dialog",
		hover(rowJS),
		waitJS("the row's kill button is shown", `getComputedStyle((`+rowJS+`).querySelector('.kill-session-btn')).visibility === 'visible'`),
		chromedp.Click(chromedp.JSPath(`(`+rowJS+`).querySelector('.kill-session-btn button')`)),
		waitJS("the kill dialog shows the session", fmt.Sprintf(
			`(d => d && d.innerText.includes('Kill session') && d.innerText.includes('maxuser@127.0.0.1') && [...d.querySelectorAll('td')].some(td => td.innerText.trim() === %q))(document.querySelector('.mxs-dlg.v-dialog--active'))`, sessionID)),
	)
	step("7-killed", "confirm the kill and see the session leave the table",
		chromedp.Click(chromedp.CSS(`.mxs-dlg.v-dialog--active [data-test="save-btn"]`)),
		waitJS("the dialog is closed, MaxGUI reports the kill and the row is gone",
			`!document.querySelector('.mxs-dlg.v-dialog--active') && document.body.innerText.includes('Successfully killed session') && !(`+rowJS+`)`),
	)

	// The kill closed the client's socket: its next query fails.
	qctx, qcancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer qcancel()
	err := client.PingContext(qctx)
	if err == nil {
		t.Fatal("the client's connection still answers after the kill from MaxGUI")
	}
	if !errors.Is(err, driver.ErrBadConn) && !errors.Is(err, mysql.ErrInvalidConn) {
		t.Errorf("client after the kill: %v, want a closed connection (driver.ErrBadConn or mysql.ErrInvalidConn)", err)
	}

	rec.check(t, sessionID)
	t.Logf("MaxGUI's requests (screenshots in %s):\n%s", shots, rec.table())
}

// builtGUI finds MaxGUI's build: $MXH_MAXGUI_DIR, else the cached build of
// scripts/maxgui-build.sh. It skips, saying how to get one, when there is none.
func builtGUI(t *testing.T) string {
	t.Helper()
	dir := os.Getenv("MXH_MAXGUI_DIR")
	if dir == "" {
		out, err := exec.CommandContext(t.Context(), "bash", "../scripts/maxgui-build.sh", "--cached").Output()
		if err != nil {
			t.Skip("MaxGUI is not built: run scripts/maxgui-build.sh (needs MaxScale's source repository and npm) or set MXH_MAXGUI_DIR")
		}
		dir = strings.TrimSpace(string(out))
	}
	if _, err := os.Stat(filepath.Join(dir, "index.html")); err != nil {
		t.Skipf("MXH_MAXGUI_DIR=%s holds no built MaxGUI (no index.html): run scripts/maxgui-build.sh", dir)
	}
	return dir
}

// chromiumPath finds the browser: $MXH_CHROMIUM, else chromium on PATH.
func chromiumPath(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("MXH_CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	t.Skip("no Chromium: apt-get install chromium (or set MXH_CHROMIUM)")
	return ""
}

// screenshotDir is $MXH_SCREENSHOTS, else out/maxgui in the repository
// (ignored by git; CI keeps out/).
func screenshotDir(t *testing.T) string {
	t.Helper()
	dir := os.Getenv("MXH_SCREENSHOTS")
	if dir == "" {
		dir = filepath.Join("..", "out", "maxgui")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	// A failed step of an earlier run left its NAME-failed.png: not this run's.
	old, _ := filepath.Glob(filepath.Join(dir, "[1-9]-*.png"))
	for _, f := range old {
		os.Remove(f)
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		t.Fatal(err)
	}
	return abs
}

// startSimulator serves the simulator with MaxGUI and the recorder on a
// free loopback port, and RW-Split-Router's SQL listener on another.
func startSimulator(t *testing.T, gui string) (*httptest.Server, *recorder, string) {
	t.Helper()
	root, err := os.OpenRoot(gui)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { root.Close() })
	logger := slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelWarn}))
	srv, err := simulator.New(config.Default(), simulator.WithGUI(root.FS()), simulator.WithLogger(logger))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Close)
	rec := &recorder{}
	ts := httptest.NewServer(rec.wrap(srv.Handler()))
	t.Cleanup(ts.Close)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.ServeMySQL(ctx, ln, "RW-Split-Router") }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("SQL listener: %v", err)
		}
	})
	return ts, rec, ln.Addr().String()
}

// connectClient opens one go-sql-driver connection as maxuser and returns
// it with its session id, read from the REST API as any client would.
func connectClient(t *testing.T, api, addr string) (*sql.Conn, string) {
	t.Helper()
	db, err := sql.Open("mysql", "maxuser:maxpwd@tcp("+addr+")/")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	conn, err := db.Conn(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	if err := conn.PingContext(t.Context()); err != nil {
		t.Fatal(err)
	}
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, api+"/v1/sessions", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.SetBasicAuth("admin", "mariadb")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var doc struct {
		Data []struct {
			ID         string `json:"id"`
			Attributes struct {
				User string `json:"user"`
			} `json:"attributes"`
		} `json:"data"`
	}
	if err := json.NewDecoder(res.Body).Decode(&doc); err != nil || res.StatusCode != http.StatusOK {
		t.Fatalf("GET /v1/sessions: %d %v", res.StatusCode, err)
	}
	if len(doc.Data) != 1 || doc.Data[0].Attributes.User != "maxuser" {
		t.Fatalf("GET /v1/sessions: %+v, want the one session of maxuser", doc.Data)
	}
	return conn, doc.Data[0].ID
}

// newBrowser starts headless Chromium with a fresh profile and nothing
// that talks to the network on its own.
func newBrowser(ctx context.Context, t *testing.T, chromium string) (context.Context, context.CancelFunc) {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromium),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1366, 900),
		chromedp.Flag("disable-component-update", true),
	)
	actx, acancel := chromedp.NewExecAllocator(ctx, opts...)
	bctx, bcancel := chromedp.NewContext(actx, chromedp.WithLogf(t.Logf))
	return bctx, func() { bcancel(); acancel() }
}

// settledJS is true when no Vue transition runs, MaxGUI's loading overlay
// is off and no sessions table shows its loading bar, so a screenshot shows
// the state the user ends up seeing.
const settledJS = `!document.querySelector('.v-overlay--active.transparent-loading, [class*="-enter-active"], [class*="-leave-active"], .sessions-table .v-data-table__progress')`

// waitJS waits until expression is true in the page and the page has
// settled; what names the state in the error. The bound is generous: the
// first load of MaxGUI's bundles on a busy machine takes seconds.
func waitJS(what, expression string) chromedp.Action[chromedp.Void] {
	poll := chromedp.Poll[bool]("("+expression+") && "+settledJS, chromedp.WithPollingInterval(50*time.Millisecond),
		chromedp.WithPollingTimeout(90*time.Second))
	return func(ctx context.Context, tg *chromedp.Target) (chromedp.Void, error) {
		if _, err := poll(ctx, tg); err != nil {
			return chromedp.Void{}, fmt.Errorf("waiting until %s: %w", what, err)
		}
		return chromedp.Void{}, nil
	}
}

// hover moves the mouse over the middle of the element that expression
// evaluates to (MaxGUI shows a row's kill button on :hover only).
func hover(expression string) chromedp.Action[chromedp.Void] {
	box := chromedp.Evaluate[[2]float64](`(e => { const b = e.getBoundingClientRect(); return [b.x + b.width / 2, b.y + b.height / 2] })(` + expression + `)`)
	return chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		p, err := box(ctx, tg)
		if err != nil {
			return fmt.Errorf("locate %s: %w", expression, err)
		}
		_, err = chromedp.MouseEvent(chromedp.MouseMoved, p[0], p[1])(ctx, tg)
		return err
	})
}

// shot saves a screenshot of the viewport as DIR/NAME.png.
func shot(ctx context.Context, t *testing.T, dir, name string) {
	t.Helper()
	png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		t.Errorf("screenshot %s: %v", name, err)
		return
	}
	if err := os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644); err != nil {
		t.Error(err)
	}
}

// exchange is one request MaxGUI made and the simulator's status.
type exchange struct {
	method, uri string
	status      int
}

func (e exchange) String() string { return fmt.Sprintf("%s %s %d", e.method, e.uri, e.status) }

// recorder keeps every request the browser makes (the test's own REST
// calls, from Go's client, are not MaxGUI's).
type recorder struct {
	mu  sync.Mutex
	log []exchange
}

func (rc *recorder) wrap(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
		h.ServeHTTP(sw, r)
		if !strings.Contains(r.UserAgent(), "Chrome") {
			return
		}
		rc.mu.Lock()
		defer rc.mu.Unlock()
		rc.log = append(rc.log, exchange{r.Method, r.URL.RequestURI(), sw.status})
	})
}

func (rc *recorder) exchanges() []exchange {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return slices.Clone(rc.log)
}

// check fails on every 4xx/5xx not in expectedErrors, and on a missing
// DELETE of the session: the kill must have come from MaxGUI.
func (rc *recorder) check(t *testing.T, sessionID string) {
	t.Helper()
	killed := false
	for _, e := range rc.exchanges() {
		uri := unescape(e.uri)
		if e.method == http.MethodDelete && uri == "/sessions/"+sessionID && e.status == http.StatusOK {
			killed = true
		}
		if e.status < 400 {
			continue
		}
		if _, ok := expectedErrors[fmt.Sprintf("%s %s %d", e.method, uri, e.status)]; !ok {
			t.Errorf("MaxGUI got an answer it does not expect: %s %s %d", e.method, uri, e.status)
		}
	}
	if !killed {
		t.Errorf("MaxGUI sent no DELETE /sessions/%s answered 200", sessionID)
	}
}

// table lists the distinct requests, in the order of their first
// appearance, with their statuses and counts; GUI files are one line.
func (rc *recorder) table() string {
	type row struct {
		key   string
		count int
	}
	var rows []row
	index := map[string]int{}
	files := map[int]int{}
	for _, e := range rc.exchanges() {
		uri := unescape(e.uri)
		if isGUIFile(uri) && e.method == http.MethodGet {
			files[e.status]++
			continue
		}
		key := fmt.Sprintf("%-6s %s  -> %d", e.method, uri, e.status)
		if i, ok := index[key]; ok {
			rows[i].count++
			continue
		}
		index[key] = len(rows)
		rows = append(rows, row{key, 1})
	}
	var b strings.Builder
	for _, r := range rows {
		fmt.Fprintf(&b, "  %s  (x%d)\n", r.key, r.count)
	}
	for status, n := range files {
		fmt.Fprintf(&b, "  GET    MaxGUI's files (/js/*, /css/*, /fonts/*, ...)  -> %d  (x%d)\n", status, n)
	}
	return b.String()
}

// isGUIFile tells MaxGUI's static files from its API calls: every file of
// the build has a suffix. "/" (index.html) stays in the table: MaxGUI also
// fetches it on each route change to look for a new version.
func isGUIFile(uri string) bool {
	p, _, _ := strings.Cut(uri, "?")
	return strings.Contains(filepath.Base(p), ".")
}

func unescape(uri string) string {
	if u, err := url.PathUnescape(uri); err == nil {
		return u
	}
	return uri
}

// statusWriter remembers the status a handler wrote.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(status int) {
	w.status = status
	w.ResponseWriter.WriteHeader(status)
}
