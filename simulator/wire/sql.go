package wire

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"vitess.io/vitess/go/mysql/sqlerror"
	"vitess.io/vitess/go/sqltypes"
	querypb "vitess.io/vitess/go/vt/proto/query"
	"vitess.io/vitess/go/vt/sqlparser"
)

// ServerVersion is what @@version and VERSION() answer; the handshake
// carries it with MariaDB's "5.5.5-" prefix, as a MariaDB server does.
const ServerVersion = "10.11.19-MariaDB-mxharness"

// Character sets of result columns.
const (
	charsetBinary  = 63 // numbers
	charsetUTF8MB4 = 45 // utf8mb4_general_ci: strings
)

// systemVariables are the @@ variables clients ask at connect and the
// simulator answers; SET changes the session's copy.
var systemVariables = map[string]any{
	"version":                  ServerVersion,
	"version_comment":          "mariadb.org binary distribution",
	"version_compile_os":       "debian-linux-gnu",
	"version_compile_machine":  "x86_64",
	"autocommit":               int64(1),
	"auto_increment_increment": int64(1),
	"character_set_client":     "utf8mb4",
	"character_set_connection": "utf8mb4",
	"character_set_results":    "utf8mb4",
	"character_set_server":     "utf8mb4",
	"character_set_database":   "utf8mb4",
	"collation_connection":     "utf8mb4_general_ci",
	"collation_server":         "utf8mb4_general_ci",
	"init_connect":             "",
	"interactive_timeout":      int64(28800),
	"license":                  "GPL",
	"lower_case_table_names":   int64(0),
	"max_allowed_packet":       int64(16777216),
	"net_buffer_length":        int64(16384),
	"net_write_timeout":        int64(60),
	"port":                     int64(3306),
	"query_cache_size":         int64(1048576),
	"query_cache_type":         "OFF",
	"sql_mode":                 "STRICT_TRANS_TABLES,ERROR_FOR_DIVISION_BY_ZERO,NO_AUTO_CREATE_USER,NO_ENGINE_SUBSTITUTION",
	"system_time_zone":         "UTC",
	"time_zone":                "SYSTEM",
	"transaction_isolation":    "REPEATABLE-READ",
	"tx_isolation":             "REPEATABLE-READ",
	"tx_read_only":             int64(0),
	"wait_timeout":             int64(28800),
	"server_id":                int64(1),
	"hostname":                 "localhost",
	"session_track_schema":     "ON",
	"max_execution_time":       int64(0),
	"in_transaction":           int64(0),
}

// connState is what one client connection remembers between commands.
// User variables live here, not in the session's backends, so they survive
// a restart (client-S1.txt).
type connState struct {
	database string
	userVars map[string]any
	sysVars  map[string]any
}

func newConnState() *connState {
	return &connState{userVars: map[string]any{}, sysVars: map[string]any{}}
}

// env is what statements may read from their session.
type env struct {
	ctx       context.Context
	user      string // user@host
	backendID func() uint64
	killed    <-chan struct{}
}

// errParse and friends build MySQL error packets.
func errParse(sql string) error {
	near := sql
	if len(near) > 80 {
		near = near[:80]
	}
	return sqlerror.NewSQLErrorf(sqlerror.ERParseError, sqlerror.SSClientError,
		"You have an error in your SQL syntax; check the manual that corresponds to your MariaDB server version for the right syntax to use near '%s' at line 1", near)
}

func errUnsupported(what string) error {
	return sqlerror.NewSQLErrorf(sqlerror.ERNotSupportedYet, sqlerror.SSClientError,
		"This MaxScale simulator does not support %s; it answers SELECT of literals, variables and a few functions, SET, USE, BEGIN/COMMIT/ROLLBACK", what)
}

// classify tells whether a statement changes session state (MaxScale's
// session commands), without executing it.
func classify(stmt sqlparser.Statement) bool {
	switch stmt.(type) {
	case *sqlparser.Set, *sqlparser.Use:
		return true
	}
	return false
}

// execute runs one parsed statement.
func (cs *connState) execute(e env, stmt sqlparser.Statement) (*sqltypes.Result, error) {
	switch st := stmt.(type) {
	case *sqlparser.Select:
		return cs.selectStmt(e, st)
	case *sqlparser.Set:
		for _, se := range st.Exprs {
			v, err := cs.eval(e, se.Expr)
			if err != nil {
				return nil, err
			}
			name := se.Var.Name.Lowered()
			if se.Var.Scope == sqlparser.VariableScope {
				cs.userVars[name] = v
			} else {
				cs.sysVars[name] = v
			}
		}
		return &sqltypes.Result{}, nil
	case *sqlparser.Use:
		cs.database = st.DBName.String()
		return &sqltypes.Result{}, nil
	case *sqlparser.Begin, *sqlparser.Commit, *sqlparser.Rollback:
		return &sqltypes.Result{}, nil
	}
	return nil, errUnsupported(fmt.Sprintf("%T statements", stmt))
}

func (cs *connState) selectStmt(e env, sel *sqlparser.Select) (*sqltypes.Result, error) {
	for _, t := range sel.From {
		if a, ok := t.(*sqlparser.AliasedTableExpr); ok && strings.EqualFold(sqlparser.String(a.Expr), "dual") {
			continue
		}
		return nil, errUnsupported("tables")
	}
	if sel.Where != nil || sel.GroupBy != nil || sel.Having != nil || sel.Into != nil {
		return nil, errUnsupported("WHERE, GROUP BY, HAVING and INTO")
	}
	res := &sqltypes.Result{}
	row := make([]sqltypes.Value, 0, len(sel.SelectExprs.Exprs))
	for _, se := range sel.SelectExprs.Exprs {
		ae, ok := se.(*sqlparser.AliasedExpr)
		if !ok {
			return nil, errUnsupported("*")
		}
		v, err := cs.eval(e, ae.Expr)
		if err != nil {
			return nil, err
		}
		name := ae.As.String()
		if name == "" {
			name = columnName(ae.Expr)
		}
		field, val := column(name, v)
		res.Fields = append(res.Fields, field)
		row = append(row, val)
	}
	if !limitZero(sel.Limit) {
		res.Rows = [][]sqltypes.Value{row}
	}
	return res, nil
}

func limitZero(l *sqlparser.Limit) bool {
	if l == nil {
		return false
	}
	lit, ok := l.Rowcount.(*sqlparser.Literal)
	return ok && lit.Val == "0"
}

// columnName is the name MySQL gives an unaliased column: a string
// literal's value, else the expression's text.
func columnName(expr sqlparser.Expr) string {
	if lit, ok := expr.(*sqlparser.Literal); ok && lit.Type == sqlparser.StrVal {
		return lit.Val
	}
	return sqlparser.String(expr)
}

// column turns a Go value (nil, int64, float64, string) into a field and
// a value of the result row.
func column(name string, v any) (*querypb.Field, sqltypes.Value) {
	switch x := v.(type) {
	case nil:
		return &querypb.Field{Name: name, Type: sqltypes.Null, Charset: charsetBinary}, sqltypes.NULL
	case int64:
		return &querypb.Field{Name: name, Type: sqltypes.Int64, Charset: charsetBinary, ColumnLength: 21,
			Flags: uint32(querypb.MySqlFlag_NUM_FLAG | querypb.MySqlFlag_NOT_NULL_FLAG)}, sqltypes.NewInt64(x)
	case float64:
		return &querypb.Field{Name: name, Type: sqltypes.Float64, Charset: charsetBinary, ColumnLength: 23, Decimals: 31,
			Flags: uint32(querypb.MySqlFlag_NUM_FLAG | querypb.MySqlFlag_NOT_NULL_FLAG)}, sqltypes.NewFloat64(x)
	default:
		s := fmt.Sprint(x)
		return &querypb.Field{Name: name, Type: sqltypes.VarChar, Charset: charsetUTF8MB4,
			ColumnLength: uint32(4 * max(len(s), 1)), Flags: uint32(querypb.MySqlFlag_NOT_NULL_FLAG)}, sqltypes.NewVarChar(s)
	}
}

func (cs *connState) eval(e env, expr sqlparser.Expr) (any, error) {
	switch x := expr.(type) {
	case *sqlparser.Literal:
		return literal(x)
	case *sqlparser.NullVal:
		return nil, nil
	case sqlparser.BoolVal:
		if x {
			return int64(1), nil
		}
		return int64(0), nil
	case *sqlparser.Variable:
		return cs.variable(x)
	case *sqlparser.UnaryExpr:
		v, err := cs.eval(e, x.Expr)
		if err != nil || x.Operator != sqlparser.UMinusOp {
			return v, err
		}
		switch n := v.(type) {
		case int64:
			return -n, nil
		case float64:
			return -n, nil
		}
		return nil, errUnsupported("unary minus on a non-number")
	case *sqlparser.BinaryExpr:
		return cs.arith(e, x)
	case *sqlparser.FuncExpr:
		return cs.function(e, x)
	case *sqlparser.ColName:
		// MaxScale passes SET NAMES utf8mb4 / SET autocommit=ON through;
		// bare words on the right of SET are names.
		return x.Name.String(), nil
	}
	return nil, errUnsupported(fmt.Sprintf("the expression %s", sqlparser.String(expr)))
}

func literal(l *sqlparser.Literal) (any, error) {
	switch l.Type {
	case sqlparser.StrVal:
		return l.Val, nil
	case sqlparser.IntVal:
		n, err := strconv.ParseInt(l.Val, 10, 64)
		if err != nil {
			f, _ := strconv.ParseFloat(l.Val, 64)
			return f, nil
		}
		return n, nil
	case sqlparser.FloatVal, sqlparser.DecimalVal:
		f, err := strconv.ParseFloat(l.Val, 64)
		if err != nil {
			return nil, errParse(l.Val)
		}
		return f, nil
	}
	return nil, errUnsupported("hexadecimal and bit literals")
}

func (cs *connState) variable(v *sqlparser.Variable) (any, error) {
	name := v.Name.Lowered()
	if v.Scope == sqlparser.VariableScope {
		return cs.userVars[name], nil // unset user variables are NULL
	}
	if val, ok := cs.sysVars[name]; ok && v.Scope != sqlparser.GlobalScope {
		return val, nil
	}
	if val, ok := systemVariables[name]; ok {
		return val, nil
	}
	return nil, sqlerror.NewSQLErrorf(sqlerror.ERUnknownSystemVariable, sqlerror.SSUnknownSQLState, "Unknown system variable '%s'", name)
}

func (cs *connState) arith(e env, b *sqlparser.BinaryExpr) (any, error) {
	l, err := cs.eval(e, b.Left)
	if err != nil {
		return nil, err
	}
	r, err := cs.eval(e, b.Right)
	if err != nil {
		return nil, err
	}
	li, lok := l.(int64)
	ri, rok := r.(int64)
	if !lok || !rok {
		return nil, errUnsupported("arithmetic on anything but integers")
	}
	switch b.Operator {
	case sqlparser.PlusOp:
		return li + ri, nil
	case sqlparser.MinusOp:
		return li - ri, nil
	case sqlparser.MultOp:
		return li * ri, nil
	}
	return nil, errUnsupported("the operator " + b.Operator.ToString())
}

func (cs *connState) function(e env, f *sqlparser.FuncExpr) (any, error) {
	switch name := f.Name.Lowered(); name {
	case "sleep":
		if len(f.Exprs) != 1 {
			return nil, errParse(sqlparser.String(f))
		}
		v, err := cs.eval(e, f.Exprs[0])
		if err != nil {
			return nil, err
		}
		return sleep(e, v)
	case "connection_id":
		return int64(e.backendID()), nil
	case "database", "schema":
		if cs.database == "" {
			return nil, nil
		}
		return cs.database, nil
	case "user", "current_user", "session_user", "system_user":
		return e.user, nil
	case "version":
		return ServerVersion, nil
	}
	return nil, errUnsupported("the function " + f.Name.String() + "()")
}

// sleep waits for v seconds of real time (the client really waits, also
// while the simulator clock is frozen) and stops early when the session is
// killed or the connection's context ends. It returns 0 like MariaDB.
func sleep(e env, v any) (any, error) {
	var d time.Duration
	switch n := v.(type) {
	case int64:
		d = time.Duration(n) * time.Second
	case float64:
		d = time.Duration(n * float64(time.Second))
	case nil:
		d = 0
	default:
		return nil, errUnsupported("SLEEP of a non-number")
	}
	if d <= 0 {
		return int64(0), nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return int64(0), nil
	case <-e.killed:
		return nil, errKilled
	case <-e.ctx.Done():
		return nil, errKilled
	}
}

// errKilled ends a query whose session was killed; the socket is already
// closed, so the client never sees it.
var errKilled = sqlerror.NewSQLErrorf(sqlerror.ERQueryInterrupted, sqlerror.SSQueryInterrupted, "Query execution was interrupted")
