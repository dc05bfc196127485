package manage

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// ContentFiles reads the files of an upload from a content folder laid out
// as journeys/content: with no paths, every .liquid file under dir's
// blocks/ and templates/, and under units/<unit>/ when unit is set; else
// the files and folders paths name (which must lie inside dir). Names are
// relative to dir and slash-separated, sorted; shared marks every file
// shared (a unit's own folder never is).
func ContentFiles(dir string, paths []string, unit string, shared bool) ([]ContentFile, error) {
	whole := len(paths) == 0
	if whole {
		paths = []string{filepath.Join(dir, "blocks"), filepath.Join(dir, "templates")}
		if unit != "" {
			paths = append(paths, filepath.Join(dir, "units", unit))
		}
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	var out []ContentFile
	add := func(p string) error {
		a, err := filepath.Abs(p)
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(abs, a)
		if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
			return fmt.Errorf("%s is not inside the content folder %s", p, dir)
		}
		name := filepath.ToSlash(rel)
		if seen[name] {
			return nil
		}
		src, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		seen[name] = true
		out = append(out, ContentFile{Name: name, Source: string(src), Shared: shared && !strings.HasPrefix(name, "units/")})
		return nil
	}
	for _, p := range paths {
		info, err := os.Stat(p)
		if err != nil {
			if whole && os.IsNotExist(err) {
				continue // an absent blocks/ or templates/ folder is an empty one
			}
			return nil, err
		}
		if !info.IsDir() {
			if err := add(p); err != nil {
				return nil, err
			}
			continue
		}
		err = filepath.WalkDir(p, func(path string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || !strings.HasSuffix(d.Name(), ".liquid") {
				return err
			}
			return add(path)
		})
		if err != nil {
			return nil, err
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}
