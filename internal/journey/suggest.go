package journey

import (
	"sort"
	"strings"
)

// nearest returns the candidate closest to name by edit distance, if it is
// close enough to be a plausible typo; "" otherwise.
func nearest(name string, candidates []string) string {
	best, bestD := "", -1
	for _, c := range candidates {
		d := distance(strings.ToLower(name), strings.ToLower(c))
		if bestD < 0 || d < bestD || d == bestD && c < best {
			best, bestD = c, d
		}
	}
	limit := len(name)/3 + 1
	if limit > 3 {
		limit = 3
	}
	if limit >= len(name) {
		limit = len(name) - 1
	}
	if bestD < 0 || bestD > limit {
		return ""
	}
	return best
}

// distance is the Damerau-Levenshtein (optimal string alignment) distance.
func distance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	if len(ra) > 64 || len(rb) > 64 {
		if a == b {
			return 0
		}
		return 64
	}
	d := make([][]int, len(ra)+1)
	for i := range d {
		d[i] = make([]int, len(rb)+1)
		d[i][0] = i
	}
	for j := range d[0] {
		d[0][j] = j
	}
	for i := 1; i <= len(ra); i++ {
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+cost)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				d[i][j] = min(d[i][j], d[i-2][j-2]+1)
			}
		}
	}
	return d[len(ra)][len(rb)]
}

// didYouMean returns a hint naming the nearest candidate, or listing the
// candidates when there are few and none is near.
func didYouMean(name string, candidates []string) string {
	if n := nearest(name, candidates); n != "" {
		return `did you mean "` + n + `"?`
	}
	return allowed(candidates)
}

// allowed lists candidates as a hint, when there are few enough to read.
func allowed(candidates []string) string {
	if len(candidates) == 0 || len(candidates) > 12 {
		return ""
	}
	c := append([]string(nil), candidates...)
	sort.Strings(c)
	return "allowed: " + strings.Join(c, ", ")
}
