package store

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"modernc.org/sqlite"
)

// ErrBackupExists is returned by BackupSQLite when the target file exists
// and overwrite was not asked for.
var ErrBackupExists = errors.New("the backup file already exists")

// ErrBackupPostgres is returned by BackupSQLite for a PostgreSQL database.
var ErrBackupPostgres = errors.New("backup copies a SQLite database; for PostgreSQL use pg_dump (e.g. pg_dump --format=custom --file smsmfa.dump \"$DATABASE_URL\")")

// BackupResult describes a finished backup.
type BackupResult struct {
	Bytes int64         // size of the copy
	Pages int           // database pages copied
	Took  time.Duration // from the start of the copy to the file in place
}

// backuper is the online backup API of a modernc connection.
type backuper interface {
	NewBackup(dstURI string) (*sqlite.Backup, error)
}

// BackupSQLite writes a consistent copy of the live SQLite database at
// dbURL (sqlite:PATH) to the file to, with SQLite's online backup API
// (sqlite3_backup_step over every page at once). The copy is one read
// transaction of the source: in WAL mode writers go on meanwhile, and the
// copy is the database as it was when the step began. It is written to a
// temporary file (mode 0600) beside to, checked with PRAGMA quick_check,
// synced, and only then put in place: with os.Link when overwrite is
// false, so an existing file is never replaced (ErrBackupExists), with
// os.Rename when it is true. A PostgreSQL URL is refused.
func BackupSQLite(ctx context.Context, dbURL, to string, overwrite bool) (res BackupResult, err error) {
	engine, dsn, err := ParseURL(dbURL)
	if err != nil {
		return res, err
	}
	if engine != SQLite {
		return res, ErrBackupPostgres
	}
	src := strings.TrimPrefix(strings.SplitN(dsn, "?", 2)[0], "file:")
	if src == ":memory:" || strings.Contains(dsn, "mode=memory") {
		return res, errors.New("an in-memory database cannot be backed up")
	}
	srcInfo, err := os.Stat(src)
	if err != nil {
		return res, fmt.Errorf("no database to back up: %w", err)
	}
	if dstInfo, err := os.Stat(to); err == nil {
		if os.SameFile(srcInfo, dstInfo) {
			return res, fmt.Errorf("%s is the database itself", to)
		}
		if !overwrite {
			return res, fmt.Errorf("%s: %w (--force replaces it)", to, ErrBackupExists)
		}
	} else if !errors.Is(err, fs.ErrNotExist) {
		return res, err
	}
	for _, side := range []string{"-wal", "-shm", "-journal"} {
		if filepath.Clean(to) == filepath.Clean(src+side) {
			return res, fmt.Errorf("%s is a file of the live database", to)
		}
	}

	start := time.Now()
	tmp, err := os.CreateTemp(filepath.Dir(to), "."+filepath.Base(to)+".partial-*")
	if err != nil {
		return res, fmt.Errorf("create the backup file: %w", err)
	}
	tmpPath := tmp.Name()
	if err := tmp.Close(); err != nil {
		return res, err
	}
	defer func() {
		if err != nil {
			for _, side := range []string{"", "-journal", "-wal", "-shm"} {
				_ = os.Remove(tmpPath + side)
			}
		}
	}()

	db := openSQLite(sqliteReaderDSN(src))
	defer func() { err = errors.Join(err, db.Close()) }()
	conn, err := db.Conn(ctx)
	if err != nil {
		return res, fmt.Errorf("open %s: %w", src, err)
	}
	defer func() { err = errors.Join(err, conn.Close()) }()
	err = conn.Raw(func(dc any) error {
		c, ok := dc.(*cachingConn)
		if !ok {
			return fmt.Errorf("backup: unexpected connection %T", dc)
		}
		b, ok := c.Conn.(backuper)
		if !ok {
			return fmt.Errorf("backup: the SQLite driver has no backup API (%T)", c.Conn)
		}
		bk, err := b.NewBackup(tmpPath)
		if err != nil {
			return fmt.Errorf("backup: %w", err)
		}
		// One step over every page: a read transaction of its own, so the
		// copy is consistent. The source answers SQLITE_BUSY only while a
		// checkpoint in another process holds it; try again then.
		for {
			more, err := bk.Step(-1)
			if err == nil && !more {
				break
			}
			if err != nil && !isBusy(err) {
				return errors.Join(fmt.Errorf("backup: %w", err), bk.Finish())
			}
			if ctx.Err() != nil {
				return errors.Join(ctx.Err(), bk.Finish())
			}
			time.Sleep(50 * time.Millisecond)
		}
		res.Pages = bk.PageCount()
		return bk.Finish()
	})
	if err != nil {
		return res, err
	}
	if err := quickCheck(ctx, tmpPath); err != nil {
		return res, err
	}
	f, err := os.OpenFile(tmpPath, os.O_RDWR, 0)
	if err != nil {
		return res, err
	}
	info, serr := f.Stat()
	if err := errors.Join(serr, f.Sync(), f.Close()); err != nil {
		return res, fmt.Errorf("sync the backup: %w", err)
	}
	res.Bytes = info.Size()
	if overwrite {
		err = os.Rename(tmpPath, to)
	} else if err = os.Link(tmpPath, to); err == nil {
		err = os.Remove(tmpPath)
	} else if errors.Is(err, fs.ErrExist) {
		err = fmt.Errorf("%s: %w (--force replaces it)", to, ErrBackupExists)
	}
	if err != nil {
		return res, err
	}
	if d, derr := os.Open(filepath.Dir(to)); derr == nil {
		_ = d.Sync() // the new name on disk
		_ = d.Close()
	}
	res.Took = time.Since(start)
	return res, nil
}

// isBusy tells SQLITE_BUSY and SQLITE_LOCKED apart from real failures.
func isBusy(err error) bool {
	var se *sqlite.Error
	if errors.As(err, &se) {
		code := se.Code() & 0xff
		return code == 5 || code == 6
	}
	return false
}

// quickCheck opens the copy on its own and runs PRAGMA quick_check.
func quickCheck(ctx context.Context, path string) (err error) {
	db := openSQLite(sqliteReaderDSN(path))
	defer func() { err = errors.Join(err, db.Close()) }()
	rows, err := db.QueryContext(ctx, `PRAGMA quick_check`)
	if err != nil {
		return fmt.Errorf("check the backup: %w", err)
	}
	defer rows.Close()
	var problems []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return fmt.Errorf("check the backup: %w", err)
		}
		if s != "ok" {
			problems = append(problems, s)
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("check the backup: %w", err)
	}
	if len(problems) > 0 {
		return fmt.Errorf("the copy failed its check: %s", strings.Join(problems, "; "))
	}
	return nil
}
