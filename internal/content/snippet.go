package content

import (
	"context"
)

// A Snippet is one standalone Liquid source compiled as plain Liquid: no
// escaping, no variable check (any variable), blocks from the Library's
// Source. It backs `journeys render`, which compares our rendering with
// other Liquid implementations. It is safe for concurrent use.
type Snippet struct {
	lib  *Library
	unit *unit
}

// CompileSnippet compiles source; file names it in positions. The error is
// a Problems value when the source or a block it renders is invalid.
func (l *Library) CompileSnippet(ctx context.Context, file, source string) (*Snippet, error) {
	l.compileMu.Lock()
	defer l.compileMu.Unlock()
	u, ps := l.compileSource(ctx, "", "", source, Pos{File: file, Line: 1, Col: 1}, checkEnv{mode: modeText}, nil)
	if len(ps) > 0 {
		return nil, ps.sorted()
	}
	return &Snippet{lib: l, unit: u}, nil
}

// Render renders the snippet with vars as its top-level variables (blocks
// see them too). Errors: ErrLimit, ErrRender.
func (s *Snippet) Render(ctx context.Context, vars map[string]any) (string, error) {
	var st renderState
	st.reset(ctx, s.lib.lim)
	st.lib, st.refs = s.lib, s.unit.refs
	st.globals = vars
	local := make(map[string]any, len(vars))
	for k, v := range vars {
		local[k] = v
	}
	var out []byte
	if err := s.lib.run(&st, s.unit, s.lib.newRctx(&st, &out, local)); err != nil {
		return "", err
	}
	return string(out), nil
}
