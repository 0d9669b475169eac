package store

import (
	"database/sql"
	"errors"

	"github.com/jackc/pgx/v5/pgconn"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/uitvoeringskracht/uitvoeringskracht/internal/survey"
)

// dbError turns err into a coded error; op says what failed ("save draft").
// Coded errors pass unchanged, so the functions run inside a transaction can
// decide the code themselves.
func dbError(err error, op string) error {
	if err == nil {
		return nil
	}
	var coded *survey.Error
	switch {
	case errors.As(err, &coded):
		return err
	case errors.Is(err, sql.ErrNoRows):
		return survey.Wrap(survey.CodeNotFound, err, op+": not found")
	case isUniqueViolation(err):
		return survey.Wrap(survey.CodeConflict, err, op+": already exists")
	case isForeignKeyViolation(err):
		// Every foreign key the store inserts points at a parent that the
		// caller named, so a violation means that parent does not exist.
		return survey.Wrap(survey.CodeNotFound, err, op+": referenced record not found")
	}
	return survey.Wrap(survey.CodeInternal, err, op)
}

func isUniqueViolation(err error) bool {
	var se *sqlite.Error
	if errors.As(err, &se) {
		return se.Code() == sqlite3.SQLITE_CONSTRAINT_UNIQUE || se.Code() == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY
	}
	var pe *pgconn.PgError
	return errors.As(err, &pe) && pe.Code == "23505"
}

func isForeignKeyViolation(err error) bool {
	var se *sqlite.Error
	if errors.As(err, &se) {
		return se.Code() == sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY
	}
	var pe *pgconn.PgError
	return errors.As(err, &pe) && pe.Code == "23503"
}
