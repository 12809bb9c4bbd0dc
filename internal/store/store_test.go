package store_test

import (
	"context"
	"net/url"
	"os"
	"strings"
	"testing"

	"smsmfa/internal/store"
	"smsmfa/internal/store/storetest"
)

func TestSQLite(t *testing.T) {
	storetest.Run(t, func(t *testing.T) *store.DB { return storetest.NewSQLite(t) })
}

func TestPostgres(t *testing.T) {
	baseURL := os.Getenv("SMSMFA_TEST_POSTGRES")
	if baseURL == "" {
		t.Skip("SMSMFA_TEST_POSTGRES is not set: PostgreSQL suite skipped")
	}
	storetest.Run(t, func(t *testing.T) *store.DB { return storetest.NewPostgres(t, baseURL) })
}

func TestParseURL(t *testing.T) {
	for _, tc := range []struct {
		name, in, engine, path string
	}{
		{"SQLiteRelative", "sqlite:smsmfa.db", store.SQLite, "smsmfa.db"},
		{"SQLiteAbsolute", "sqlite:/var/lib/smsmfa/app.db", store.SQLite, "/var/lib/smsmfa/app.db"},
		{"SQLiteAnyExtension", "sqlite:data/mfa.sqlite3", store.SQLite, "data/mfa.sqlite3"},
		{"SQLiteSlashes", "sqlite://data/smsmfa.db", store.SQLite, "data/smsmfa.db"},
		{"SQLiteSlashesAbsolute", "sqlite:///var/lib/smsmfa/app.db", store.SQLite, "/var/lib/smsmfa/app.db"},
		{"BarePath", "smsmfa.db", store.SQLite, "smsmfa.db"},
		{"BareAbsolutePath", "/var/lib/smsmfa/app.db", store.SQLite, "/var/lib/smsmfa/app.db"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			engine, dsn, err := store.ParseURL(tc.in)
			if err != nil || engine != tc.engine {
				t.Fatalf("ParseURL(%q) = %q, %q, %v; want engine %q", tc.in, engine, dsn, err, tc.engine)
			}
			path, query, _ := strings.Cut(dsn, "?")
			if path != "file:"+tc.path {
				t.Errorf("DSN path = %q, want %q", path, "file:"+tc.path)
			}
			q, err := url.ParseQuery(query)
			if err != nil {
				t.Fatalf("DSN query %q: %v", query, err)
			}
			pragmas := strings.Join(q["_pragma"], " ")
			for _, want := range []string{"foreign_keys(1)", "journal_mode(WAL)", "busy_timeout(5000)", "synchronous(NORMAL)", "temp_store(MEMORY)", "wal_autocheckpoint(8000)"} {
				if !strings.Contains(pragmas, want) {
					t.Errorf("DSN pragmas %q lack %s", pragmas, want)
				}
			}
			if q.Get("_txlock") != "immediate" || q.Get("_time_format") != "sqlite" {
				t.Errorf("DSN %q: want _txlock=immediate and _time_format=sqlite", dsn)
			}
		})
	}

	for _, in := range []string{
		"postgres://smsmfa:pw@db.example.com:5432/smsmfa?sslmode=require",
		"postgresql://localhost/smsmfa",
	} {
		t.Run("Postgres/"+strings.SplitN(in, ":", 2)[0], func(t *testing.T) {
			engine, dsn, err := store.ParseURL(in)
			if err != nil || engine != store.Postgres || dsn != in {
				t.Errorf("ParseURL(%q) = %q, %q, %v; want postgres and the URL unchanged", in, engine, dsn, err)
			}
		})
	}

	const password = "hunter2secret"
	for _, tc := range []struct{ name, in, shows string }{
		{"Empty", "", ""},
		{"SQLiteWithoutPath", "sqlite:", "sqlite:"},
		{"SQLiteSlashesWithoutPath", "sqlite://", "sqlite:"},
		{"OtherPath", "smsmfa.sqlite", "smsmfa.sqlite"},
		{"MySQL", "mysql://root:" + password + "@db.example.com/smsmfa", "mysql://root:xxxxx@db.example.com/smsmfa"},
		{"MySQLBadPort", "mysql://root:" + password + "@db.example.com:port/smsmfa", ""},
		{"PasswordInQuery", "mssql://db.example.com/smsmfa?user=sa&password=" + password, "mssql://db.example.com/smsmfa?"},
		{"KeywordDSN", "host=db.example.com user=smsmfa password=" + password + " dbname=smsmfa", ""},
		{"UpperCaseScheme", "POSTGRES://smsmfa:" + password + "@db.example.com/smsmfa", "postgres://smsmfa:xxxxx@"},
		{"NoSchemeWithUser", "smsmfa:" + password + "@db.example.com/smsmfa", ""},
	} {
		t.Run("Rejects/"+tc.name, func(t *testing.T) {
			engine, dsn, err := store.ParseURL(tc.in)
			if err == nil {
				t.Fatalf("ParseURL(%q) = %q, %q; want an error", tc.in, engine, dsn)
			}
			if strings.Contains(err.Error(), password) {
				t.Errorf("error %q shows the password", err)
			}
			if !strings.Contains(err.Error(), tc.shows) {
				t.Errorf("error %q: want it to show %q", err, tc.shows)
			}
			if !strings.HasPrefix(err.Error(), "store: ") {
				t.Errorf("error %q: want the store: prefix", err)
			}
		})
	}
}

// A failed open names the database, without its password, also when the
// password is given as a query parameter (pgx accepts both).
func TestOpenError(t *testing.T) {
	const password = "hunter2secret"
	dir := t.TempDir() // a directory is not a database file
	for _, tc := range []struct{ name, url, shows string }{
		{"PostgresUserInfo", "postgres://smsmfa:" + password + "@127.0.0.1:1/smsmfa?sslmode=disable&connect_timeout=2",
			"postgres://smsmfa:xxxxx@127.0.0.1:1/smsmfa"},
		{"PostgresQuery", "postgres://smsmfa@127.0.0.1:1/smsmfa?sslmode=disable&connect_timeout=2&password=" + password,
			"password=xxxxx"},
		{"SQLite", "sqlite:" + dir, "sqlite:" + dir},
	} {
		t.Run(tc.name, func(t *testing.T) {
			db, err := store.Open(context.Background(), tc.url)
			if err == nil {
				db.Close()
				t.Fatalf("Open(%q) succeeded", tc.url)
			}
			if strings.Contains(err.Error(), password) {
				t.Errorf("Open error %q shows the password", err)
			}
			if !strings.Contains(err.Error(), tc.shows) {
				t.Errorf("Open error %q: want it to show %q", err, tc.shows)
			}
		})
	}
}
