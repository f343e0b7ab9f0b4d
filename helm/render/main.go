// render: renders helm/lexroute's templates the way `helm template` does, for helm/check on a
// machine without helm. It is not helm: it implements what this chart uses (Go templates with
// Sprig, include, tpl, required, fail, toYaml, fromYaml, .Files.Get and .Files.Glob, .Release,
// .Chart, .Values from values.yaml merged with -f files) and nothing else (no hooks, no
// subcharts, no .Capabilities, no lookup). Values are read as helm reads them (YAML through
// JSON, so numbers are float64), so number formatting matches helm's.
//
// Usage: render CHART_DIR RELEASE NAMESPACE [VALUES.yaml...] > manifests.yaml
// Prints each rendered template after a "# Source: lexroute/templates/<file>" line; NOTES.txt
// goes to stderr. Exits 1 with the template error on failure.
package main

import (
	"bytes"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"text/template"

	sprig "github.com/Masterminds/sprig/v3"
	"github.com/ghodss/yaml"
)

type files map[string][]byte

func (f files) Get(name string) string { return string(f[name]) }

func (f files) Glob(pattern string) files {
	out := files{}
	for name, data := range f {
		if ok, _ := path.Match(pattern, name); ok {
			out[name] = data
		}
	}
	return out
}

func readYAML(file string) map[string]interface{} {
	data, err := os.ReadFile(file)
	check(err)
	out := map[string]interface{}{}
	check(yaml.Unmarshal(data, &out))
	return out
}

func merge(base, over map[string]interface{}) map[string]interface{} {
	for key, value := range over {
		if sub, ok := value.(map[string]interface{}); ok {
			if into, ok := base[key].(map[string]interface{}); ok {
				base[key] = merge(into, sub)
				continue
			}
		}
		base[key] = value
	}
	return base
}

func check(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, "render:", err)
		os.Exit(1)
	}
}

func main() {
	if len(os.Args) < 4 {
		fmt.Fprintln(os.Stderr, "usage: render CHART_DIR RELEASE NAMESPACE [VALUES.yaml...]")
		os.Exit(2)
	}
	dir, release, namespace := os.Args[1], os.Args[2], os.Args[3]
	chart := readYAML(filepath.Join(dir, "Chart.yaml"))
	values := readYAML(filepath.Join(dir, "values.yaml"))
	for _, f := range os.Args[4:] {
		values = merge(values, readYAML(f))
	}

	all := files{}
	check(filepath.Walk(dir, func(p string, info os.FileInfo, err error) error {
		if err != nil || info.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		data, err := os.ReadFile(p)
		all[filepath.ToSlash(rel)] = data
		return err
	}))

	top := map[string]interface{}{
		"Values":  values,
		"Release": map[string]interface{}{"Name": release, "Namespace": namespace, "Service": "Helm", "IsInstall": true},
		"Chart": map[string]interface{}{
			"Name": chart["name"], "Version": chart["version"], "AppVersion": chart["appVersion"],
		},
		"Files": all,
	}

	t := template.New("chart")
	funcs := sprig.TxtFuncMap()
	funcs["include"] = func(name string, data interface{}) (string, error) {
		var buf bytes.Buffer
		err := t.ExecuteTemplate(&buf, name, data)
		return buf.String(), err
	}
	funcs["tpl"] = func(text string, data interface{}) (string, error) {
		c, err := t.Clone()
		if err != nil {
			return "", err
		}
		parsed, err := c.New("tpl").Parse(text)
		if err != nil {
			return "", err
		}
		var buf bytes.Buffer
		err = parsed.Execute(&buf, data)
		return buf.String(), err
	}
	funcs["required"] = func(message string, value interface{}) (interface{}, error) {
		if value == nil || value == "" {
			return nil, fmt.Errorf("%s", message)
		}
		return value, nil
	}
	funcs["fail"] = func(message string) (string, error) { return "", fmt.Errorf("%s", message) }
	funcs["toYaml"] = func(v interface{}) string {
		data, err := yaml.Marshal(v)
		if err != nil {
			return ""
		}
		return strings.TrimSuffix(string(data), "\n")
	}
	funcs["fromYaml"] = func(text string) map[string]interface{} {
		out := map[string]interface{}{}
		if err := yaml.Unmarshal([]byte(text), &out); err != nil {
			out["Error"] = err.Error()
		}
		return out
	}
	t = t.Funcs(funcs).Option("missingkey=zero")

	var names []string
	for name := range all {
		if strings.HasPrefix(name, "templates/") {
			names = append(names, name)
		}
	}
	sort.Strings(names)
	for _, name := range names {
		_, err := t.New(name).Parse(string(all[name]))
		check(err)
	}
	for _, name := range names {
		base := path.Base(name)
		if strings.HasPrefix(base, "_") {
			continue
		}
		var buf bytes.Buffer
		check(t.ExecuteTemplate(&buf, name, top))
		text := strings.ReplaceAll(buf.String(), "<no value>", "")
		if base == "NOTES.txt" {
			fmt.Fprint(os.Stderr, text)
			continue
		}
		if strings.TrimSpace(text) == "" {
			continue
		}
		fmt.Printf("---\n# Source: %s/%s\n%s\n", chart["name"], name, strings.TrimPrefix(text, "\n"))
	}
}
