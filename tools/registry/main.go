// Command registry reads one Grafana Alloy release's own Go sources and prints, as JSON, what alloy-lint's
// registry needs of it: every component registered with component.Register (name, stability, community flag,
// the attributes and blocks of its Args type, the names of its Exports), and the config blocks (logging,
// tracing, the services' blocks such as http and remotecfg, import.*, argument, export, foreach, declare).
//
// It reads the declarations with go/parser and go/ast and resolves a type through the import graph of the
// release's module (a named type in another package of the module is looked up in that package's files). It
// does not type-check the whole program with go/types: that would need every one of Alloy's several hundred
// dependency modules on the user's machine for each release, while every `alloy:"..."` tag lives in Alloy's own
// module. A type from another module is mapped by its qualified name (time.Duration, the syntax module's
// secrets); one the table does not know is written as its Go name, which the linter does not judge.
//
// Usage:
//
//	registry -release v1.10.0                 # fetch github.com/grafana/alloy@v1.10.0 through the Go module proxy
//	registry -release v1.12.2 -checkout DIR   # a git checkout of grafana/alloy at tag v1.12.2
package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

const modulePath = "github.com/grafana/alloy"

func main() {
	release := flag.String("release", "", "the Alloy release, e.g. v1.10.0 (required)")
	checkout := flag.String("checkout", "", "a git checkout of grafana/alloy at the release's tag, for a release the Go module proxy does not serve")
	flag.Parse()
	if !regexp.MustCompile(`^v\d+\.\d+\.\d+$`).MatchString(*release) {
		fail("registry: -release must name an Alloy release such as v1.10.0, got %q", *release)
	}
	src, err := locate(*release, *checkout)
	if err != nil {
		fail("registry: %v", err)
	}
	out, err := extract(src)
	if err != nil {
		fail("registry: %s: %v", *release, err)
	}
	enc := json.NewEncoder(os.Stdout)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(out); err != nil {
		fail("registry: %v", err)
	}
}

func fail(format string, args ...any) {
	fmt.Fprintf(os.Stderr, format+"\n", args...)
	os.Exit(1)
}

// source is where one release's sources are and how they were obtained.
type source struct {
	Release string `json:"release"`
	// "module": the module zip the Go module proxy serves (Version and Sum say exactly which);
	// "checkout": a git checkout given on the command line (Commit, when git could read it).
	Kind    string `json:"kind"`
	Module  string `json:"module"`
	Version string `json:"version,omitempty"`
	Sum     string `json:"sum,omitempty"`
	Commit  string `json:"commit,omitempty"`
	dir     string
}

func locate(release, checkout string) (source, error) {
	if checkout != "" {
		if _, err := os.Stat(filepath.Join(checkout, "internal", "component", "all")); err != nil {
			return source{}, fmt.Errorf("%s is not a checkout of grafana/alloy (no internal/component/all)", checkout)
		}
		s := source{Release: release, Kind: "checkout", Module: modulePath, dir: checkout}
		// The commit, when the folder is the top of a git work tree (not a folder inside another repository).
		top, err := exec.Command("git", "-C", checkout, "rev-parse", "--show-toplevel").Output()
		abs, _ := filepath.Abs(checkout)
		if err == nil && sameDir(strings.TrimSpace(string(top)), abs) {
			if commit, err := exec.Command("git", "-C", checkout, "rev-parse", "HEAD").Output(); err == nil {
				s.Commit = strings.TrimSpace(string(commit))
			}
		}
		return s, nil
	}
	// Outside any module, so that nothing is added to a go.mod.
	cmd := exec.Command("go", "mod", "download", "-json", modulePath+"@"+release)
	cmd.Dir = os.TempDir()
	cmd.Env = append(os.Environ(), "GOFLAGS=-mod=mod", "GO111MODULE=on")
	raw, runErr := cmd.Output()
	var info struct {
		Dir, Sum, Version, Error string
		Origin                   struct{ Hash string }
	}
	if err := json.Unmarshal(raw, &info); err != nil || info.Error != "" || runErr != nil {
		reason := info.Error
		if reason == "" && runErr != nil {
			reason = runErr.Error()
		}
		return source{}, fmt.Errorf("go mod download %s@%s failed (%s); read a git checkout of the release's tag instead: -checkout DIR (npm run registry -- %s --checkout DIR)", modulePath, release, firstLine(reason), release)
	}
	return source{Release: release, Kind: "module", Module: modulePath, Version: info.Version, Sum: info.Sum, Commit: info.Origin.Hash, dir: info.Dir}, nil
}

func sameDir(a, b string) bool {
	x, err1 := os.Stat(a)
	y, err2 := os.Stat(b)
	return err1 == nil && err2 == nil && os.SameFile(x, y)
}

func firstLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}

// ---- output ----

type attribute struct {
	Type     string `json:"type"`
	Required bool   `json:"required"`
}

// body is the top level of a component or config block, or one of its blocks.
type body struct {
	Required   bool                 `json:"required,omitempty"`
	Repeatable bool                 `json:"repeatable,omitempty"`
	Labelled   bool                 `json:"labelled,omitempty"`
	Attributes map[string]attribute `json:"attributes,omitempty"`
	// Free-form: any attribute (a map decoded as a block, a body the runtime reads itself).
	OpenAttributes bool `json:"openAttributes,omitempty"`
	// Any block (a type the generator cannot see into).
	OpenBlocks bool `json:"openBlocks,omitempty"`
	// The blocks of that path are allowed here too (a recursive type, as loki.process's stage.match).
	ChildrenSameAs *string `json:"childrenSameAs,omitempty"`
	// Where the Go type is declared: package path (within the module) and type name.
	GoType string `json:"goType,omitempty"`
}

type entry struct {
	body
	Stability string           `json:"stability,omitempty"`
	Community bool             `json:"community,omitempty"`
	Exports   []string         `json:"exports"`
	Blocks    map[string]*body `json:"blocks,omitempty"`
	File      string           `json:"file,omitempty"`
}

type output struct {
	Source       source            `json:"source"`
	Components   map[string]*entry `json:"components"`
	ConfigBlocks map[string]*entry `json:"configBlocks"`
	// Types from other modules that the type table does not know (not judged), and registrations the generator
	// could not read: printed so that a gap is visible, never silent.
	UnknownTypes []string `json:"unknownTypes"`
	Problems     []string `json:"problems"`
}

// ---- loading packages of the module ----

type pkg struct {
	path, dir, name string
	files           []*ast.File
	fileNames       map[*ast.File]string
	types           map[string]*ast.TypeSpec
	typeFile        map[string]*ast.File
	methods         map[string]map[string]bool
	consts          map[string]ast.Expr
}

type loader struct {
	root    string
	fset    *token.FileSet
	pkgs    map[string]*pkg
	unknown map[string]bool
}

func (l *loader) internal(importPath string) bool {
	return (importPath == modulePath || strings.HasPrefix(importPath, modulePath+"/")) &&
		!strings.HasPrefix(importPath, modulePath+"/syntax")
}

// load parses the package at importPath, every file whatever its build constraints (components registered only
// on one OS are still described). nil for a package of another module or one the release does not have.
func (l *loader) load(importPath string) *pkg {
	if p, ok := l.pkgs[importPath]; ok {
		return p
	}
	l.pkgs[importPath] = nil
	if !l.internal(importPath) {
		return nil
	}
	dir := filepath.Join(l.root, filepath.FromSlash(strings.TrimPrefix(strings.TrimPrefix(importPath, modulePath), "/")))
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil
	}
	p := &pkg{path: importPath, dir: dir, fileNames: map[*ast.File]string{}, types: map[string]*ast.TypeSpec{},
		typeFile: map[string]*ast.File{}, methods: map[string]map[string]bool{}, consts: map[string]ast.Expr{}}
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || !strings.HasSuffix(name, ".go") || strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(l.fset, filepath.Join(dir, name), nil, parser.SkipObjectResolution)
		if err != nil {
			continue
		}
		if f.Name.Name == "main" && importPath != modulePath {
			continue
		}
		p.name = f.Name.Name
		p.files = append(p.files, f)
		p.fileNames[f] = name
		for _, d := range f.Decls {
			switch d := d.(type) {
			case *ast.GenDecl:
				for _, s := range d.Specs {
					switch s := s.(type) {
					case *ast.TypeSpec:
						// A type declared in several files behind build constraints: the one with the most
						// alloy tags wins (a stub for other platforms usually has none).
						if old, ok := p.types[s.Name.Name]; !ok || tagCount(s) > tagCount(old) {
							p.types[s.Name.Name] = s
							p.typeFile[s.Name.Name] = f
						}
					case *ast.ValueSpec:
						if d.Tok == token.CONST {
							for i, n := range s.Names {
								if i < len(s.Values) {
									p.consts[n.Name] = s.Values[i]
								}
							}
						}
					}
				}
			case *ast.FuncDecl:
				if d.Recv != nil && len(d.Recv.List) == 1 {
					recv := receiverName(d.Recv.List[0].Type)
					if p.methods[recv] == nil {
						p.methods[recv] = map[string]bool{}
					}
					p.methods[recv][d.Name.Name] = true
				}
			}
		}
	}
	l.pkgs[importPath] = p
	return p
}

func tagCount(s *ast.TypeSpec) int {
	st, ok := s.Type.(*ast.StructType)
	if !ok {
		return 0
	}
	n := 1
	for _, f := range st.Fields.List {
		if f.Tag != nil && strings.Contains(f.Tag.Value, "alloy:") {
			n++
		}
	}
	return n
}

func receiverName(e ast.Expr) string {
	switch e := e.(type) {
	case *ast.StarExpr:
		return receiverName(e.X)
	case *ast.Ident:
		return e.Name
	case *ast.IndexExpr:
		return receiverName(e.X)
	}
	return ""
}

// importName is the name a file uses for an import: its explicit name, the package clause of a package of the
// module, or for another module's package the last element of its path (without a /vN suffix or a go- prefix).
func (l *loader) importName(spec *ast.ImportSpec) (string, string) {
	ipath, _ := strconv.Unquote(spec.Path.Value)
	if spec.Name != nil {
		return spec.Name.Name, ipath
	}
	if p := l.load(ipath); p != nil {
		return p.name, ipath
	}
	base := path.Base(ipath)
	if regexp.MustCompile(`^v\d+$`).MatchString(base) {
		base = path.Base(path.Dir(ipath))
	}
	base = strings.TrimPrefix(base, "go-")
	base = strings.ReplaceAll(base, "-", "")
	if i := strings.IndexByte(base, '.'); i >= 0 {
		base = base[:i]
	}
	return base, ipath
}

func (l *loader) resolveImport(f *ast.File, name string) string {
	for _, spec := range f.Imports {
		if n, p := l.importName(spec); n == name {
			return p
		}
	}
	return ""
}

// ---- types ----

// typeRef is a named type: package path and name.
type typeRef struct{ pkg, name string }

func (r typeRef) String() string { return r.pkg + "." + r.name }

// external maps types of other modules (and the standard library) to the value kinds Alloy gives them.
var external = map[string]string{
	"time.Duration": "duration",
	"github.com/grafana/alloy/syntax/alloytypes.Secret":         "secret",
	"github.com/grafana/alloy/syntax/alloytypes.OptionalSecret": "secret",
	"github.com/prometheus/common/model.Duration":               "duration",
	"github.com/prometheus/common/model.LabelName":              "string",
	"github.com/prometheus/common/model.LabelValue":             "string",
	"github.com/prometheus/common/model.LabelSet":               "map(string)",
	"github.com/prometheus/common/config.Secret":                "secret",
	"net/url.URL":                             "string",
	"github.com/alecthomas/units.Base2Bytes":  "string",
	"github.com/grafana/dskit/flagext.Secret": "secret",
	"encoding/json.RawMessage":                "any",
	"net/url.Values":                          "map(list(string))",
	// type StringSlice []string, no text methods.
	"github.com/grafana/dskit/flagext.StringSlice": "list(string)",
	// Named strings with UnmarshalText.
	"github.com/open-telemetry/opentelemetry-collector-contrib/pkg/ottl.ErrorMode": "string",
	"go.opentelemetry.io/collector/config/configcompression.Type":                  "string",
	// Interfaces: capsules.
	"github.com/prometheus/prometheus/storage.Appendable": "capsule(storage.Appendable)",
}

type scope struct {
	p *pkg
	f *ast.File
}

// valueType is the type an attribute of Go type e has, in the words the linter's registry uses.
func (l *loader) valueType(e ast.Expr, s scope) string {
	switch e := e.(type) {
	case *ast.Ident:
		switch e.Name {
		case "string":
			return "string"
		case "bool":
			return "bool"
		case "int", "int8", "int16", "int32", "int64", "uint", "uint8", "uint16", "uint32", "uint64", "float32", "float64", "byte", "rune", "uintptr":
			return "number"
		case "any", "error":
			return "any"
		}
		return l.namedType(typeRef{s.p.path, e.Name})
	case *ast.SelectorExpr:
		if x, ok := e.X.(*ast.Ident); ok {
			if ipath := l.resolveImport(s.f, x.Name); ipath != "" {
				return l.namedType(typeRef{ipath, e.Sel.Name})
			}
		}
		return "any"
	case *ast.StarExpr:
		return l.valueType(e.X, s)
	case *ast.ParenExpr:
		return l.valueType(e.X, s)
	case *ast.ArrayType:
		if id, ok := e.Elt.(*ast.Ident); ok && (id.Name == "byte") {
			return "string"
		}
		if st, ref := l.structOf(e.Elt, s); st != nil && hasLabel(st) {
			_ = ref
			return "object"
		}
		return "list(" + l.valueType(e.Elt, s) + ")"
	case *ast.MapType:
		if id, ok := e.Key.(*ast.Ident); !ok || id.Name != "string" {
			if l.valueType(e.Key, s) != "string" {
				return "capsule(map)"
			}
		}
		return "map(" + l.valueType(e.Value, s) + ")"
	case *ast.InterfaceType:
		if len(e.Methods.List) == 0 {
			return "any"
		}
		return "capsule(interface)"
	case *ast.StructType:
		if countTags(e) == 0 {
			return "capsule(struct)"
		}
		return "object"
	case *ast.FuncType:
		return "function"
	case *ast.IndexExpr, *ast.IndexListExpr:
		return "any"
	}
	return "any"
}

// namedType follows Alloy's rules for a named Go type (syntax/internal/value.AlloyType): a capsule when it
// implements AlloyCapsule, a string when it implements encoding.TextMarshaler or is time.Duration, else by its
// underlying type; an interface other than any is a capsule.
func (l *loader) namedType(r typeRef) string {
	if t, ok := external[r.String()]; ok {
		return t
	}
	p := l.load(r.pkg)
	if p == nil {
		if !strings.Contains(r.pkg, ".") && r.pkg != "" {
			// The standard library: named types over basic kinds are rare in tags; not judged.
		}
		l.unknown[r.String()] = true
		return goName(r)
	}
	spec, ok := p.types[r.name]
	if !ok {
		l.unknown[r.String()] = true
		return goName(r)
	}
	m := p.methods[r.name]
	switch {
	case m["AlloyCapsule"]:
		return "capsule(" + goName(r) + ")"
	case m["MarshalText"]:
		return "string"
	}
	under := l.valueType(spec.Type, scope{p, p.typeFile[r.name]})
	if m["UnmarshalText"] && under != "string" {
		// Decoded from a string by UnmarshalText, or from a value of its own kind: not judged.
		return goName(r)
	}
	switch under {
	case "capsule(interface)":
		return "capsule(" + goName(r) + ")"
	case "capsule(struct)":
		return "capsule(" + goName(r) + ")"
	}
	return under
}

// goName is a type's name as Go code outside its package writes it: otelcol.Consumer.
func goName(r typeRef) string {
	return path.Base(r.pkg) + "." + r.name
}

// structOf resolves a (pointer to a) named or literal struct type: the struct and where it is declared.
func (l *loader) structOf(e ast.Expr, s scope) (*ast.StructType, *structAt) {
	for {
		switch x := e.(type) {
		case *ast.StarExpr:
			e = x.X
			continue
		case *ast.ParenExpr:
			e = x.X
			continue
		case *ast.StructType:
			return x, &structAt{scope: s, key: fmt.Sprintf("%s@%d", s.p.path, x.Pos())}
		case *ast.Ident:
			return l.namedStruct(typeRef{s.p.path, x.Name})
		case *ast.SelectorExpr:
			if id, ok := x.X.(*ast.Ident); ok {
				if ipath := l.resolveImport(s.f, id.Name); ipath != "" {
					return l.namedStruct(typeRef{ipath, x.Sel.Name})
				}
			}
		}
		return nil, nil
	}
}

type structAt struct {
	scope
	key string
}

func (l *loader) namedStruct(r typeRef) (*ast.StructType, *structAt) {
	p := l.load(r.pkg)
	if p == nil {
		return nil, nil
	}
	spec, ok := p.types[r.name]
	if !ok {
		return nil, nil
	}
	st, at := l.structOf(spec.Type, scope{p, p.typeFile[r.name]})
	if at != nil && st != nil {
		// A defined type over another struct (type Arguments other.Arguments) has that struct's fields.
		return st, at
	}
	return nil, nil
}

func countTags(st *ast.StructType) int {
	n := 0
	for _, f := range st.Fields.List {
		if _, ok := alloyTag(f); ok {
			n++
		}
	}
	return n
}

func hasLabel(st *ast.StructType) bool {
	for _, f := range st.Fields.List {
		if t, ok := alloyTag(f); ok && t.kind == "label" {
			return true
		}
	}
	return false
}

type tag struct {
	name, kind string
	optional   bool
}

// alloyTag parses `alloy:"name,attr|block|enum|label[,optional]"` and `alloy:",squash"`.
func alloyTag(f *ast.Field) (tag, bool) {
	if f.Tag == nil {
		return tag{}, false
	}
	raw, err := strconv.Unquote(f.Tag.Value)
	if err != nil {
		return tag{}, false
	}
	value, ok := lookupTag(raw, "alloy")
	if !ok || value == "-" {
		return tag{}, false
	}
	parts := strings.Split(value, ",")
	t := tag{name: parts[0]}
	for _, opt := range parts[1:] {
		switch opt {
		case "optional":
			t.optional = true
		case "attr", "block", "enum", "label", "squash":
			t.kind = opt
		}
	}
	return t, t.kind != ""
}

// lookupTag is reflect.StructTag.Lookup over a tag's text.
func lookupTag(tagText, key string) (string, bool) {
	for tagText != "" {
		i := 0
		for i < len(tagText) && tagText[i] == ' ' {
			i++
		}
		tagText = tagText[i:]
		if tagText == "" {
			break
		}
		i = 0
		for i < len(tagText) && tagText[i] > ' ' && tagText[i] != ':' && tagText[i] != '"' && tagText[i] != 0x7f {
			i++
		}
		if i == 0 || i+1 >= len(tagText) || tagText[i] != ':' || tagText[i+1] != '"' {
			break
		}
		name := tagText[:i]
		tagText = tagText[i+1:]
		i = 1
		for i < len(tagText) && tagText[i] != '"' {
			if tagText[i] == '\\' {
				i++
			}
			i++
		}
		if i >= len(tagText) {
			break
		}
		qvalue := tagText[:i+1]
		tagText = tagText[i+1:]
		if key == name {
			v, err := strconv.Unquote(qvalue)
			if err != nil {
				break
			}
			return v, true
		}
	}
	return "", false
}

// ---- walking a struct's tags ----

type walker struct {
	l      *loader
	e      *entry
	errs   *[]string
	where  string
	active map[string]string // struct key -> block path being expanded (recursion guard)
}

func join(parent, name string) string {
	if parent == "" {
		return name
	}
	return parent + " > " + name
}

// fields adds the attributes and blocks of struct st to the body at path (the entry itself for "").
func (w *walker) fields(st *ast.StructType, at *structAt, path string, b *body) {
	if prev, ok := w.active[at.key]; ok {
		// A recursive type: its blocks are those already described at prev.
		p := prev
		b.ChildrenSameAs = &p
		w.attributesOnly(st, at, b)
		return
	}
	w.active[at.key] = path
	defer delete(w.active, at.key)
	for _, f := range st.Fields.List {
		t, ok := alloyTag(f)
		if !ok {
			continue
		}
		switch t.kind {
		case "label":
			b.Labelled = true
		case "attr":
			if b.Attributes == nil {
				b.Attributes = map[string]attribute{}
			}
			b.Attributes[t.name] = attribute{Type: w.l.valueType(f.Type, at.scope), Required: !t.optional}
		case "squash":
			inner, innerAt := w.l.structOf(f.Type, at.scope)
			if inner == nil {
				*w.errs = append(*w.errs, fmt.Sprintf("%s: squashed field of unreadable type at %q", w.where, path))
				b.OpenAttributes, b.OpenBlocks = true, true
				continue
			}
			w.fields(inner, innerAt, path, b)
		case "block":
			elem, es, repeatable := w.l.elemOf(f.Type, at.scope)
			child := &body{Required: !t.optional, Repeatable: repeatable}
			w.block(elem, es, join(path, t.name), child)
		case "enum":
			elem, es, repeatable := w.l.elemOf(f.Type, at.scope)
			inner, innerAt := w.l.structOf(elem, es)
			if inner == nil {
				*w.errs = append(*w.errs, fmt.Sprintf("%s: enum %q of unreadable type", w.where, join(path, t.name)))
				b.OpenBlocks = true
				continue
			}
			if prev, ok := w.active[innerAt.key]; ok {
				p := prev
				b.ChildrenSameAs = &p
				continue
			}
			w.active[innerAt.key] = path
			for _, g := range inner.Fields.List {
				gt, ok := alloyTag(g)
				if !ok || gt.kind != "block" {
					continue
				}
				gelem, gs, _ := w.l.elemOf(g.Type, innerAt.scope)
				child := &body{Repeatable: repeatable}
				w.block(gelem, gs, join(path, t.name+"."+gt.name), child)
			}
			delete(w.active, innerAt.key)
		}
	}
}

// attributesOnly adds the attributes of st (and of its squashed structs) to b.
func (w *walker) attributesOnly(st *ast.StructType, at *structAt, b *body) {
	for _, f := range st.Fields.List {
		t, ok := alloyTag(f)
		if !ok {
			continue
		}
		switch t.kind {
		case "attr":
			if b.Attributes == nil {
				b.Attributes = map[string]attribute{}
			}
			b.Attributes[t.name] = attribute{Type: w.l.valueType(f.Type, at.scope), Required: !t.optional}
		case "squash":
			if inner, innerAt := w.l.structOf(f.Type, at.scope); inner != nil {
				w.attributesOnly(inner, innerAt, b)
			}
		}
	}
}

// block describes a block of Go type e at path.
func (w *walker) block(e ast.Expr, s scope, path string, b *body) {
	w.e.Blocks[path] = b
	if u, _ := w.l.underlying(e, s); isMap(u) {
		b.OpenAttributes = true // a map decoded from a block: any attribute name
		return
	}
	st, at := w.l.structOf(e, s)
	if st == nil {
		*w.errs = append(*w.errs, fmt.Sprintf("%s: block %q of a type the generator cannot read (not judged)", w.where, path))
		b.OpenAttributes, b.OpenBlocks = true, true
		return
	}
	w.fields(st, at, path, b)
}

func isMap(e ast.Expr) bool {
	_, ok := e.(*ast.MapType)
	return ok
}

func deref(e ast.Expr) ast.Expr {
	for {
		s, ok := e.(*ast.StarExpr)
		if !ok {
			return e
		}
		e = s.X
	}
}

// elemOf is the element type of a slice or array field (a repeatable block), also through a named slice type
// of the module (type TargetBlock []BlackboxTarget), else the type itself.
func (l *loader) elemOf(e ast.Expr, s scope) (ast.Expr, scope, bool) {
	u, us := l.underlying(e, s)
	if a, ok := u.(*ast.ArrayType); ok {
		return deref(a.Elt), us, true
	}
	return deref(e), s, false
}

// underlying follows named types of the module (and aliases) to the type expression they are defined by; a
// struct type stays named (structOf reads it).
func (l *loader) underlying(e ast.Expr, s scope) (ast.Expr, scope) {
	for i := 0; i < 10; i++ {
		e = deref(e)
		var r typeRef
		switch x := e.(type) {
		case *ast.Ident:
			r = typeRef{s.p.path, x.Name}
		case *ast.SelectorExpr:
			id, ok := x.X.(*ast.Ident)
			if !ok {
				return e, s
			}
			r = typeRef{l.resolveImport(s.f, id.Name), x.Sel.Name}
		default:
			return e, s
		}
		p := l.load(r.pkg)
		if p == nil || p.types[r.name] == nil {
			return e, s
		}
		spec := p.types[r.name]
		switch spec.Type.(type) {
		case *ast.ArrayType, *ast.MapType, *ast.Ident, *ast.SelectorExpr, *ast.StarExpr:
			e, s = spec.Type, scope{p, p.typeFile[r.name]}
		default:
			return e, s
		}
	}
	return e, s
}

// ---- registrations ----

var stabilities = map[string]string{
	"StabilityGenerallyAvailable": "generally-available",
	"StabilityPublicPreview":      "public-preview",
	"StabilityExperimental":       "experimental",
}

// constString evaluates a string constant expression of a package.
func constString(e ast.Expr, p *pkg, depth int) (string, bool) {
	if depth > 10 {
		return "", false
	}
	switch e := e.(type) {
	case *ast.BasicLit:
		if e.Kind == token.STRING {
			s, err := strconv.Unquote(e.Value)
			return s, err == nil
		}
	case *ast.Ident:
		if v, ok := p.consts[e.Name]; ok {
			return constString(v, p, depth+1)
		}
	case *ast.BinaryExpr:
		if e.Op == token.ADD {
			a, ok1 := constString(e.X, p, depth+1)
			b, ok2 := constString(e.Y, p, depth+1)
			return a + b, ok1 && ok2
		}
	case *ast.ParenExpr:
		return constString(e.X, p, depth+1)
	}
	return "", false
}

func (l *loader) describe(name string, args ast.Expr, exports ast.Expr, s scope, out *entry, errs *[]string) {
	out.Blocks = map[string]*body{}
	if args != nil {
		if st, at := l.structOf(typeOfLit(args), s); st != nil {
			out.GoType = at.p.path + "." + exprName(typeOfLit(args))
			w := &walker{l: l, e: out, errs: errs, where: name, active: map[string]string{}}
			w.fields(st, at, "", &out.body)
		} else {
			*errs = append(*errs, fmt.Sprintf("%s: Args type not readable (not judged)", name))
			out.OpenAttributes, out.OpenBlocks = true, true
		}
	}
	out.Exports = []string{}
	if id, ok := exports.(*ast.Ident); ok && id.Name == "nil" {
		exports = nil // Exports: nil, the component exports nothing
	}
	if exports != nil {
		if st, at := l.structOf(typeOfLit(exports), s); st != nil {
			var b body
			w := &walker{l: l, e: &entry{Blocks: map[string]*body{}}, errs: errs, where: name, active: map[string]string{}}
			w.attributesOnly(st, at, &b)
			for n := range b.Attributes {
				out.Exports = append(out.Exports, n)
			}
			sort.Strings(out.Exports)
		} else {
			*errs = append(*errs, fmt.Sprintf("%s: Exports type not readable", name))
		}
	}
	if len(out.Blocks) == 0 {
		out.Blocks = nil
	}
}

func typeOfLit(e ast.Expr) ast.Expr {
	switch x := e.(type) {
	case *ast.CompositeLit:
		return x.Type
	case *ast.UnaryExpr:
		return typeOfLit(x.X)
	}
	return e
}

func exprName(e ast.Expr) string {
	switch x := e.(type) {
	case *ast.Ident:
		return x.Name
	case *ast.SelectorExpr:
		return x.Sel.Name
	}
	return "?"
}

// registrations finds component.Register(component.Registration{...}) in the packages the binary links:
// the closure of internal/component/all's imports within the module.
func (l *loader) registrations(out *output) {
	componentPkg := modulePath + "/internal/component"
	seen := map[string]bool{}
	queue := []string{modulePath + "/internal/component/all"}
	for len(queue) > 0 {
		ip := queue[0]
		queue = queue[1:]
		if seen[ip] {
			continue
		}
		seen[ip] = true
		p := l.load(ip)
		if p == nil {
			continue
		}
		for _, f := range p.files {
			for _, spec := range f.Imports {
				if q, _ := strconv.Unquote(spec.Path.Value); l.internal(q) && !seen[q] {
					queue = append(queue, q)
				}
			}
			ast.Inspect(f, func(n ast.Node) bool {
				call, ok := n.(*ast.CallExpr)
				if !ok || len(call.Args) != 1 {
					return true
				}
				sel, ok := call.Fun.(*ast.SelectorExpr)
				if !ok || sel.Sel.Name != "Register" {
					return true
				}
				x, ok := sel.X.(*ast.Ident)
				if !ok || l.resolveImport(f, x.Name) != componentPkg {
					return true
				}
				where := p.path + "/" + p.fileNames[f]
				lit, ok := call.Args[0].(*ast.CompositeLit)
				if !ok {
					out.Problems = append(out.Problems, where+": component.Register with a value the generator cannot read")
					return true
				}
				l.registration(lit, scope{p, f}, strings.TrimPrefix(where, modulePath+"/"), out)
				return true
			})
		}
	}
}

func (l *loader) registration(lit *ast.CompositeLit, s scope, where string, out *output) {
	fields := map[string]ast.Expr{}
	for _, el := range lit.Elts {
		if kv, ok := el.(*ast.KeyValueExpr); ok {
			if k, ok := kv.Key.(*ast.Ident); ok {
				fields[k.Name] = kv.Value
			}
		}
	}
	name, ok := constString(fields["Name"], s.p, 0)
	if !ok {
		out.Problems = append(out.Problems, where+": component name is not a constant")
		return
	}
	e := &entry{File: where}
	if st, ok := fields["Stability"].(*ast.SelectorExpr); ok {
		e.Stability = stabilities[st.Sel.Name]
	}
	if c, ok := fields["Community"].(*ast.Ident); ok && c.Name == "true" {
		e.Community = true
	}
	l.describe(name, fields["Args"], fields["Exports"], s, e, &out.Problems)
	// A component registered in several files behind build constraints (a stub for other platforms): the
	// description with the most arguments is the real one.
	if old, dup := out.Components[name]; dup && size(old) >= size(e) {
		return
	}
	out.Components[name] = e
}

func size(e *entry) int {
	return len(e.Attributes) + len(e.Blocks) + len(e.Exports)
}

// configBlock describes the blocks the runtime itself reads (not components): where their Go types are.
type configBlock struct {
	name, pkg, typ string
	exports        []string
}

var configBlocks = []configBlock{
	{"logging", "internal/runtime/logging", "Options", nil},
	{"tracing", "internal/runtime/tracing", "Options", nil},
	{"argument", "internal/nodeconf/argument", "Arguments", []string{"value"}},
	{"export", "internal/nodeconf/export", "Arguments", []string{}},
	{"foreach", "internal/nodeconf/foreach", "Arguments", nil},
	{"import.file", "internal/nodeconf/importsource", "FileArguments", nil},
	{"import.string", "internal/nodeconf/importsource", "StringArguments", nil},
	{"import.http", "internal/nodeconf/importsource", "HTTPArguments", nil},
	{"import.git", "internal/nodeconf/importsource", "GitArguments", nil},
}

// services finds service.Definition{Name: ..., ConfigType: T{}} under internal/service: each such service
// is a config block of its name (http, remotecfg, livedebugging, ...).
func (l *loader) services(out *output) {
	servicePkg := modulePath + "/internal/service"
	root := filepath.Join(l.root, "internal", "service")
	_ = filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err != nil || !d.IsDir() {
			return nil
		}
		rel, _ := filepath.Rel(l.root, p)
		rel = filepath.ToSlash(rel)
		if strings.Contains(rel, "testdata") || strings.Contains(strings.TrimPrefix(rel, "internal/"), "internal") {
			return filepath.SkipDir
		}
		pk := l.load(modulePath + "/" + filepath.ToSlash(rel))
		if pk == nil {
			return nil
		}
		for _, f := range pk.files {
			ast.Inspect(f, func(n ast.Node) bool {
				lit, ok := n.(*ast.CompositeLit)
				if !ok {
					return true
				}
				sel, ok := lit.Type.(*ast.SelectorExpr)
				if !ok || sel.Sel.Name != "Definition" {
					return true
				}
				if x, ok := sel.X.(*ast.Ident); !ok || l.resolveImport(f, x.Name) != servicePkg {
					return true
				}
				fields := map[string]ast.Expr{}
				for _, el := range lit.Elts {
					if kv, ok := el.(*ast.KeyValueExpr); ok {
						if k, ok := kv.Key.(*ast.Ident); ok {
							fields[k.Name] = kv.Value
						}
					}
				}
				ct, ok := fields["ConfigType"]
				if id, isIdent := ct.(*ast.Ident); !ok || (isIdent && id.Name == "nil") {
					return true
				}
				name, ok := constString(fields["Name"], pk, 0)
				if !ok {
					if id, isIdent := fields["Name"].(*ast.Ident); isIdent {
						name, ok = constString(id, pk, 0)
					}
				}
				if !ok {
					if sx, isSel := fields["Name"].(*ast.SelectorExpr); isSel {
						if x, isIdent := sx.X.(*ast.Ident); isIdent {
							if other := l.load(l.resolveImport(f, x.Name)); other != nil {
								name, ok = constString(sx.Sel, other, 0)
							}
						}
					}
				}
				if !ok {
					out.Problems = append(out.Problems, pk.path+": service name is not a constant")
					return true
				}
				if _, done := out.ConfigBlocks[name]; done {
					return true
				}
				e := &entry{File: strings.TrimPrefix(pk.path, modulePath+"/") + "/" + pk.fileNames[f]}
				if st, ok := fields["Stability"].(*ast.SelectorExpr); ok {
					e.Stability = stabilities[st.Sel.Name]
				}
				l.describe(name, ct, nil, scope{pk, f}, e, &out.Problems)
				e.Exports = nil
				out.ConfigBlocks[name] = e
				return true
			})
		}
		return nil
	})
}

func extract(src source) (*output, error) {
	l := &loader{root: src.dir, fset: token.NewFileSet(), pkgs: map[string]*pkg{}, unknown: map[string]bool{}}
	out := &output{Source: src, Components: map[string]*entry{}, ConfigBlocks: map[string]*entry{}, Problems: []string{}}
	l.registrations(out)
	if len(out.Components) == 0 {
		return nil, errors.New("no component registrations found under internal/component/all")
	}
	for _, cb := range configBlocks {
		p := l.load(modulePath + "/" + cb.pkg)
		if p == nil || p.types[cb.typ] == nil {
			out.Problems = append(out.Problems, fmt.Sprintf("config block %s: %s.%s not found", cb.name, cb.pkg, cb.typ))
			continue
		}
		e := &entry{File: cb.pkg + "/" + p.fileNames[p.typeFile[cb.typ]]}
		l.describe(cb.name, &ast.Ident{Name: cb.typ}, nil, scope{p, p.typeFile[cb.typ]}, e, &out.Problems)
		e.Exports = cb.exports
		out.ConfigBlocks[cb.name] = e
	}
	l.services(out)
	// The runtime reads these bodies itself: declare's is a module (any statement), foreach's template is one.
	out.ConfigBlocks["declare"] = &entry{body: body{OpenAttributes: true, OpenBlocks: true}}
	if fe := out.ConfigBlocks["foreach"]; fe != nil {
		if fe.Blocks == nil {
			fe.Blocks = map[string]*body{}
		}
		fe.Blocks["template"] = &body{Required: true, OpenAttributes: true, OpenBlocks: true}
	}
	out.UnknownTypes = []string{}
	for t := range l.unknown {
		out.UnknownTypes = append(out.UnknownTypes, t)
	}
	sort.Strings(out.UnknownTypes)
	sort.Strings(out.Problems)
	return out, nil
}
