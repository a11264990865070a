package seed

import "time"

// Services and filters of the simulator's default configuration.
const (
	rwSplit  = "RW-Split-Router"
	readConn = "Read-Connection-Router"

	cacheFilter = "my-cache-filter"
	logFilter   = "my-log-filter"
	hintFilter  = "my-hint-filter"

	// maxscaleHost is the address remote clients connect to, as their
	// drivers report it in _server_host.
	maxscaleHost = "10.20.0.10"
)

// The connection attributes below are the keys real clients send, with the
// values they send (drivers read them from the process and the platform).

// mariadbCLI is the mariadb/mysql command-line client on libmariadb, as a
// real MaxScale 24.02.4 shows it.
func mariadbCLI(pid, programName, version string) map[string]string {
	return map[string]string{
		"_client_name":    "libmariadb",
		"_client_version": version,
		"_os":             "Linux",
		"_pid":            pid,
		"_platform":       "x86_64",
		"_server_host":    "127.0.0.1",
		"program_name":    programName,
	}
}

// mysqlCLI is Oracle's mysql client on libmysqlclient 8.0.
func mysqlCLI(pid string) map[string]string {
	return map[string]string{
		"_client_name":    "libmysql",
		"_client_version": "8.0.40",
		"_os":             "Linux",
		"_pid":            pid,
		"_platform":       "x86_64",
		"program_name":    "mysql",
	}
}

// connectorJ is MariaDB Connector/J 3.x on a JVM.
func connectorJ(thread string) map[string]string {
	return map[string]string{
		"_client_name":    "MariaDB Connector/J",
		"_client_version": "3.5.1",
		"_java_vendor":    "Eclipse Adoptium",
		"_java_version":   "21.0.5",
		"_os":             "Linux",
		"_server_host":    maxscaleHost,
		"_thread":         thread,
	}
}

// nodeMariaDB is the mariadb npm package (MariaDB Connector/Node.js) with
// connectAttributes enabled.
func nodeMariaDB(clientHost string) map[string]string {
	return map[string]string{
		"_client_host":    clientHost,
		"_client_name":    "MariaDB connector/Node",
		"_client_version": "3.4.0",
		"_node_version":   "22.12.0",
		"_os":             "linux",
		"_server_host":    maxscaleHost,
	}
}

// goMySQL is github.com/go-sql-driver/mysql (1.8 and later send attributes).
func goMySQL(pid string) map[string]string {
	return map[string]string{
		"_client_name": "Go-MySQL-Driver",
		"_os":          "linux",
		"_pid":         pid,
		"_platform":    "amd64",
		"_server_host": maxscaleHost,
	}
}

// demo is a small production-like picture: a Java order service, a Go web
// tier, a Node reporting job, analysts and operators on the CLI, spread over
// both services, some running queries, some with session filters and
// session-level logging switched on.
func demo() Set {
	return Set{
		Name: "demo",
		Description: "12 sessions across RW-Split-Router and Read-Connection-Router: Connector/J, " +
			"go-sql-driver, Node.js, mariadb and mysql CLI clients; some busy, some with session " +
			"filters and log_info on",
		Sessions: []Session{
			{Service: rwSplit, User: "app_orders", Remote: "10.20.1.15", Port: 41822,
				ConnectionAttributes: connectorJ("31"), Busy: true, Age: 3*time.Hour + 12*time.Minute},
			{Service: rwSplit, User: "app_orders", Remote: "10.20.1.15", Port: 41836,
				ConnectionAttributes: connectorJ("32"), Age: 3*time.Hour + 12*time.Minute},
			{Service: rwSplit, User: "app_orders", Remote: "10.20.1.16", Port: 58210,
				ConnectionAttributes: connectorJ("29"), Filters: []string{hintFilter},
				Age: 2*time.Hour + 41*time.Minute},
			{Service: rwSplit, User: "web", Remote: "10.20.2.31", Port: 36004,
				ConnectionAttributes: goMySQL("1187"), Age: 47 * time.Minute},
			{Service: rwSplit, User: "web", Remote: "10.20.2.32", Port: 36120,
				ConnectionAttributes: goMySQL("1203"), Busy: true, Age: 46 * time.Minute},
			{Service: rwSplit, User: "reporting", Remote: "10.20.4.2", Port: 50412,
				ConnectionAttributes: nodeMariaDB("report-worker-1"), Busy: true,
				Parameters: map[string]bool{"log_info": true}, Filters: []string{logFilter},
				Age: 25 * time.Minute},
			{Service: rwSplit, User: "dba", Remote: "10.20.9.5", Port: 60122,
				ConnectionAttributes: mariadbCLI("22817", "mariadb", "3.4.3"),
				Parameters:           map[string]bool{"log_info": true, "log_notice": true},
				Filters:              []string{logFilter}, Age: 8 * time.Minute},
			{Service: rwSplit, User: "maxuser", Remote: "127.0.0.1", Port: 33954,
				ConnectionAttributes: mariadbCLI("11402", "mysql", "3.3.20"), Age: 2 * time.Minute},
			{Service: readConn, User: "analytics", Remote: "10.20.4.7", Port: 44871,
				ConnectionAttributes: mysqlCLI("5310"), Busy: true, Age: time.Hour + 10*time.Minute},
			{Service: readConn, User: "reporting", Remote: "10.20.4.2", Port: 50430,
				ConnectionAttributes: nodeMariaDB("report-worker-1"),
				Parameters:           map[string]bool{"log_info": true}, Filters: []string{cacheFilter, logFilter},
				Age: 15 * time.Minute},
			{Service: readConn, User: "web", Remote: "10.20.2.33", Port: 36288,
				ConnectionAttributes: goMySQL("1219"), Age: 5 * time.Minute},
			// An old client that sends no connection attributes (JSON null).
			{Service: readConn, User: "backup", Remote: "10.20.9.12", Port: 52006,
				Age: 6*time.Hour + 3*time.Minute},
		},
	}
}
