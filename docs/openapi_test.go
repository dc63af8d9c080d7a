// Package docs_test holds the checks that keep the documents in docs/ true to the code.
package docs_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// TestOpenAPI_Routes fails when a route registered under a package tree is missing
// from its OpenAPI document, or when the document lists a route that is gone. The
// routes are read from the source, not from a running server, so a route counts
// wherever and however it is registered: any file in the tree (subpackages too),
// any call of HandleFunc or Handle — or the station's rt.handle, which names the
// route's access rule — whose pattern is a constant string, built from literals and
// constants of this module.
//
// The station's routes must all go through rt.handle, and the document's x-trust of
// each must be the rule the code gives it.
func TestOpenAPI_Routes(t *testing.T) {
	for _, tc := range []struct {
		doc, tree string
		rules     bool // every route names its access rule, which x-trust must match
	}{
		{"openapi/station.yaml", "backend/http", true},
		{"openapi/county.yaml", "sync/county", false},
	} {
		t.Run(tc.tree, func(t *testing.T) {
			code := sourceRoutes(t, filepath.Join("..", tc.tree))
			if len(code) == 0 {
				t.Fatalf("no /api/v1 routes found under %s: has registration changed shape?", tc.tree)
			}
			doc := documentRoutes(t, tc.doc)
			for _, r := range sortedKeys(code) {
				trust, ok := doc[r]
				if !ok {
					t.Errorf("%s registers %q (%s), missing from %s", tc.tree, r, code[r].pos, tc.doc)
					continue
				}
				if !tc.rules {
					continue
				}
				if code[r].access == "" {
					t.Errorf("%s: %q is registered without an access rule: use rt.handle(pattern, access, h)", code[r].pos, r)
					continue
				}
				want, known := trustOf[code[r].access]
				if !known {
					t.Errorf("%s: %q has access %s, which this test does not know: add it to trustOf", code[r].pos, r, code[r].access)
				} else if trust != want {
					t.Errorf("%s: %q is %s in the code, x-trust %q in %s; want %q", code[r].pos, r, code[r].access, trust, tc.doc, want)
				}
			}
			for _, r := range sortedKeys(doc) {
				if _, ok := code[r]; !ok {
					t.Errorf("%s documents %q, which %s no longer registers", tc.doc, r, tc.tree)
				}
			}
		})
	}
}

// trustOf is the x-trust each access rule of backend/http (routes.go) is documented
// as.
var trustOf = map[string]string{
	"Public":           "public",
	"KioskPC":          "kiosk",
	"KioskDevice":      "kiosk-device",
	"KioskDeviceOrLAN": "kiosk-device",
	"StaffSession":     "staff",
	"AdminSession":     "admin",
}

// TestOpenAPI_Normalise pins the one rule both sides are compared by: parameter
// names do not matter, their places do.
func TestOpenAPI_Normalise(t *testing.T) {
	for in, want := range map[string]string{
		"GET /api/v1/tickets/{id}":        "GET /api/v1/tickets/{}",
		"POST /api/v1/tickets/{id}/{act}": "POST /api/v1/tickets/{}/{}",
		"GET /api/v1/files/{path...}":     "GET /api/v1/files/{}",
		"get /api/v1/x":                   "GET /api/v1/x",
	} {
		if got := normalise(in); got != want {
			t.Errorf("normalise(%q) = %q, want %q", in, got, want)
		}
	}
}

var paramRE = regexp.MustCompile(`\{[^}]*\}`)

// normalise upper-cases the method and blanks every {param} name.
func normalise(route string) string {
	method, path, _ := strings.Cut(route, " ")
	return strings.ToUpper(method) + " " + paramRE.ReplaceAllString(path, "{}")
}

// documentRoutes returns the document's paths × methods, normalised, each with its
// x-trust ("" where it has none).
func documentRoutes(t *testing.T, file string) map[string]string {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		OpenAPI string                          `yaml:"openapi"`
		Paths   map[string]map[string]yaml.Node `yaml:"paths"`
	}
	if err := yaml.Unmarshal(data, &doc); err != nil {
		t.Fatalf("%s: %v", file, err)
	}
	if !strings.HasPrefix(doc.OpenAPI, "3.1") {
		t.Errorf("%s: openapi %q, want 3.1.x", file, doc.OpenAPI)
	}
	methods := []string{"get", "put", "post", "delete", "options", "head", "patch", "trace"}
	out := map[string]string{}
	for path, item := range doc.Paths {
		for key, op := range item {
			if slices.Contains(methods, key) {
				var ext struct {
					Trust string `yaml:"x-trust"`
				}
				if err := op.Decode(&ext); err != nil {
					t.Fatalf("%s: %s %s: %v", file, key, path, err)
				}
				out[normalise(key+" "+path)] = ext.Trust
			}
		}
	}
	return out
}

// sourceRoute is where a route is registered and, for rt.handle, the name of its
// access rule.
type sourceRoute struct{ pos, access string }

// sourceRoutes parses every non-test Go file under dir and returns the /api/v1
// routes registered there, normalised.
func sourceRoutes(t *testing.T, dir string) map[string]sourceRoute {
	t.Helper()
	consts := &constants{fset: token.NewFileSet(), byDir: map[string]map[string]ast.Expr{}, module: modulePath(t)}
	out := map[string]sourceRoute{}
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return err
		}
		f, err := parser.ParseFile(consts.fset, path, nil, parser.SkipObjectResolution)
		if err != nil {
			return err
		}
		imports := map[string]string{}
		for _, imp := range f.Imports {
			p, _ := strconv.Unquote(imp.Path.Value)
			name := p[strings.LastIndex(p, "/")+1:]
			if imp.Name != nil {
				name = imp.Name.Name
			}
			imports[name] = p
		}
		ast.Inspect(f, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok {
				return true
			}
			sel, ok := call.Fun.(*ast.SelectorExpr)
			if !ok {
				return true
			}
			access := ""
			switch {
			case (sel.Sel.Name == "HandleFunc" || sel.Sel.Name == "Handle") && len(call.Args) == 2:
			case sel.Sel.Name == "handle" && len(call.Args) == 3:
				id, ok := call.Args[1].(*ast.Ident)
				if !ok {
					t.Errorf("%s: a route whose access rule is not one of routes.go's constants", consts.fset.Position(call.Pos()))
					return true
				}
				access = id.Name
			default:
				return true
			}
			pattern, ok := consts.eval(filepath.Dir(path), imports, call.Args[0])
			if !ok {
				// A pattern built at run time (a loop over form routes): fine as long
				// as it is not an API route, which this test could not see.
				if strings.Contains(consts.literals(call.Args[0]), "/api/") {
					t.Errorf("%s: an /api/ route whose pattern is not a constant", consts.fset.Position(call.Pos()))
				}
				return true
			}
			method, p, hasMethod := strings.Cut(pattern, " ")
			if !hasMethod {
				p = method
			}
			if !strings.HasPrefix(p, "/api/v1/") {
				return true
			}
			if !hasMethod {
				t.Errorf("%s: %q is registered for every method; name one", consts.fset.Position(call.Pos()), pattern)
				return true
			}
			out[normalise(pattern)] = sourceRoute{consts.fset.Position(call.Pos()).String(), access}
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// modulePath reads the module's path from ../go.mod.
func modulePath(t *testing.T) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	for line := range strings.Lines(string(data)) {
		if m, ok := strings.CutPrefix(strings.TrimSpace(line), "module "); ok {
			return strings.TrimSpace(m)
		}
	}
	t.Fatal("go.mod names no module")
	return ""
}

// constants evaluates string expressions made of literals, +, and the package-level
// constants of this module's packages, which it reads from their source on demand.
type constants struct {
	fset   *token.FileSet
	module string
	byDir  map[string]map[string]ast.Expr // package directory → constant name → value
}

func (c *constants) eval(dir string, imports map[string]string, e ast.Expr) (string, bool) {
	switch e := e.(type) {
	case *ast.BasicLit:
		if e.Kind != token.STRING {
			return "", false
		}
		s, err := strconv.Unquote(e.Value)
		return s, err == nil
	case *ast.ParenExpr:
		return c.eval(dir, imports, e.X)
	case *ast.BinaryExpr:
		if e.Op != token.ADD {
			return "", false
		}
		x, ok1 := c.eval(dir, imports, e.X)
		y, ok2 := c.eval(dir, imports, e.Y)
		return x + y, ok1 && ok2
	case *ast.Ident:
		v, ok := c.pkg(dir)[e.Name]
		if !ok {
			return "", false
		}
		return c.eval(dir, c.importsOf(dir), v)
	case *ast.SelectorExpr:
		pkg, ok := e.X.(*ast.Ident)
		if !ok {
			return "", false
		}
		rel, ok := strings.CutPrefix(imports[pkg.Name], c.module+"/")
		if !ok {
			return "", false
		}
		other := filepath.Join("..", filepath.FromSlash(rel))
		v, ok := c.pkg(other)[e.Sel.Name]
		if !ok {
			return "", false
		}
		return c.eval(other, c.importsOf(other), v)
	}
	return "", false
}

// literals joins the string literals inside e, to tell what a pattern was about.
func (c *constants) literals(e ast.Expr) string {
	var b strings.Builder
	ast.Inspect(e, func(n ast.Node) bool {
		if lit, ok := n.(*ast.BasicLit); ok && lit.Kind == token.STRING {
			b.WriteString(lit.Value)
		}
		return true
	})
	return b.String()
}

// pkg returns the single-valued package-level constants declared in dir.
func (c *constants) pkg(dir string) map[string]ast.Expr {
	if m, ok := c.byDir[dir]; ok {
		return m
	}
	m := map[string]ast.Expr{}
	c.byDir[dir] = m
	for _, f := range c.files(dir) {
		for _, decl := range f.Decls {
			gd, ok := decl.(*ast.GenDecl)
			if !ok || gd.Tok != token.CONST {
				continue
			}
			for _, spec := range gd.Specs {
				vs := spec.(*ast.ValueSpec)
				if len(vs.Values) != len(vs.Names) {
					continue // iota and friends: not strings
				}
				for i, name := range vs.Names {
					m[name.Name] = vs.Values[i]
				}
			}
		}
	}
	return m
}

// importsOf returns the imports of every file in dir by name; constants are rarely
// defined in terms of other packages, and when they are, names agree across files.
func (c *constants) importsOf(dir string) map[string]string {
	out := map[string]string{}
	for _, f := range c.files(dir) {
		for _, imp := range f.Imports {
			p, _ := strconv.Unquote(imp.Path.Value)
			name := p[strings.LastIndex(p, "/")+1:]
			if imp.Name != nil {
				name = imp.Name.Name
			}
			out[name] = p
		}
	}
	return out
}

func (c *constants) files(dir string) []*ast.File {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil
	}
	var out []*ast.File
	for _, e := range entries {
		n := e.Name()
		if e.IsDir() || !strings.HasSuffix(n, ".go") || strings.HasSuffix(n, "_test.go") {
			continue
		}
		if f, err := parser.ParseFile(c.fset, filepath.Join(dir, n), nil, parser.SkipObjectResolution); err == nil {
			out = append(out, f)
		}
	}
	return out
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
