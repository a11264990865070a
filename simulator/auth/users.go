package auth

import (
	"crypto/sha256"
	"crypto/subtle"
)

// Account is the type of a REST API user, as in MaxScale's users file.
type Account string

// The two account types MaxScale 24.02 knows.
const (
	// Admin accounts may use every method.
	Admin Account = "admin"
	// Basic accounts are read-only: GET, HEAD and OPTIONS.
	Basic Account = "basic"
)

// User is one REST API user.
type User struct {
	Name     string
	Password string
	Account  Account
}

// DefaultUsers returns the project's default REST users: MaxScale's own
// default admin `admin`/`mariadb` and a read-only `basic`/`mariadb`.
func DefaultUsers() []User {
	return []User{
		{Name: "admin", Password: "mariadb", Account: Admin},
		{Name: "basic", Password: "mariadb", Account: Basic},
	}
}

// userDB is an immutable table of users; the first entry of a name wins.
// Passwords are kept as SHA-256 digests so that comparing them takes the
// same time whatever their length or content.
type userDB map[string]userEntry

type userEntry struct {
	account Account
	digest  [sha256.Size]byte
}

func newUserDB(users []User) userDB {
	db := make(userDB, len(users))
	for _, u := range users {
		if _, dup := db[u.Name]; dup {
			continue
		}
		db[u.Name] = userEntry{account: u.Account, digest: sha256.Sum256([]byte(u.Password))}
	}
	return db
}

// verify reports the account of name when password is right. An unknown
// user costs the same comparison as a known one.
func (db userDB) verify(name, password string) (Account, bool) {
	e, known := db[name]
	got := sha256.Sum256([]byte(password))
	match := subtle.ConstantTimeCompare(got[:], e.digest[:]) == 1
	if !known || !match {
		return "", false
	}
	return e.account, true
}

// account returns the account type of an existing user.
func (db userDB) account(name string) (Account, bool) {
	e, ok := db[name]
	return e.account, ok
}
