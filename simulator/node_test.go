package simulator

import (
	"bufio"
	"encoding/json"
	"os"
	"os/exec"
	"strconv"
	"testing"

	"github.com/mxharness/mxharness/simulator/config"
)

// TestNodeMariaDBConnector runs Node's mariadb connector against the
// simulator. It needs node and the npm package `mariadb`: set
// MXHARNESS_NODE_PATH to a node_modules folder holding it
// (`npm install --prefix DIR mariadb@3`, then DIR/node_modules).
func TestNodeMariaDBConnector(t *testing.T) {
	node, err := exec.LookPath("node")
	modules := os.Getenv("MXHARNESS_NODE_PATH")
	if err != nil || modules == "" {
		t.Skip("needs node: npm install --prefix DIR mariadb@3, then MXHARNESS_NODE_PATH=DIR/node_modules (CI does)")
	}
	s := startSim(t, func(c *config.Config) { c.RetainLastStatements = 1 })
	cmd := exec.CommandContext(t.Context(), node, "testdata/node_client.js", s.SQLAddrs["RW-Split-Router"])
	cmd.Env = append(os.Environ(), "NODE_PATH="+modules)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	lines := bufio.NewScanner(out)
	var first struct {
		ThreadID uint64 `json:"threadId"`
		Backend  int64
		Comment  string
		A        int
		Error    string
	}
	if !lines.Scan() || json.Unmarshal(lines.Bytes(), &first) != nil || first.Error != "" {
		t.Fatalf("node client: %s %+v", lines.Bytes(), first)
	}
	id := strconv.FormatUint(first.ThreadID, 10)
	res := s.session(t, id)
	conns := attr(res, "connections").([]any)
	if num(t, conns[0].(map[string]any)["connection_id"]) != float64(first.Backend) || first.Comment == "" || first.A != 5 {
		t.Errorf("node client saw %+v; session %s shows %v", first, id, conns)
	}
	attrs := attr(res, "client").(map[string]any)["connection_attributes"].(map[string]any)
	if attrs["_client_name"] != "MariaDB connector/Node" {
		t.Errorf("connection_attributes = %v", attrs)
	}
	s.waitRunning(t, id, "SELECT SLEEP(60)")
	wantStatus(t, "DELETE", s.api(t, "DELETE", "/v1/sessions/"+id, ""), 200, "")
	if !lines.Scan() || string(lines.Bytes()) != `{"sleep":"ER_SOCKET_UNEXPECTED_CLOSE"}` {
		t.Errorf("after the kill the node client printed %s", lines.Bytes())
	}
	if err := cmd.Wait(); err != nil {
		t.Errorf("node client: %v", err)
	}
}
