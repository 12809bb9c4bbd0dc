package mfa_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"smsmfa/internal/mfa"
)

// Every event type the package records is one the system log's filter
// offers (the console's type list and the API's filter read EventTypes):
// an admin must be able to find each security decision by its type.
func TestEveryEventTypeCanBeFiltered(t *testing.T) {
	names, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	var files []*ast.File
	for _, n := range names {
		if strings.HasSuffix(n, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(token.NewFileSet(), n, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, f)
	}
	seen := 0
	for _, f := range files {
		for _, d := range f.Decls {
			g, ok := d.(*ast.GenDecl)
			if !ok || g.Tok != token.CONST {
				continue
			}
			for _, s := range g.Specs {
				vs := s.(*ast.ValueSpec)
				for i, n := range vs.Names {
					if !strings.HasPrefix(n.Name, "Ev") || i >= len(vs.Values) {
						continue
					}
					lit, ok := vs.Values[i].(*ast.BasicLit)
					if !ok || lit.Kind != token.STRING {
						continue
					}
					v, _ := strconv.Unquote(lit.Value)
					seen++
					if !slices.Contains(mfa.EventTypes, v) {
						t.Errorf("%s = %q is not in EventTypes", n.Name, v)
					}
				}
			}
		}
	}
	if seen < 40 {
		t.Fatalf("found only %d event type constants: the scan is broken", seen)
	}
}
