package backend

import "strings"

// Hooks into the package for its external tests.

// MongolianVerbs returns, for each Mongolian draft, how many formatting verbs its
// Chinese message and the draft have ({zh, mn}), and panics on a draft of a key no
// message has: for the tests, which check they agree.
func MongolianVerbs() map[string][2]int {
	out := make(map[string][2]int, len(mongolian))
	for key, mn := range mongolian {
		m, ok := messages[key]
		if !ok {
			panic("Mongolian draft for a key without a message: " + key)
		}
		out[key] = [2]int{strings.Count(strings.ReplaceAll(m[0], "%%", ""), "%"), strings.Count(strings.ReplaceAll(mn, "%%", ""), "%")}
	}
	return out
}

// MessageKeys returns every message's key.
func MessageKeys() []string {
	keys := make([]string, 0, len(messages))
	for k := range messages {
		keys = append(keys, k)
	}
	return keys
}
