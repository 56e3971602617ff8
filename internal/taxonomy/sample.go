package taxonomy

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
)

type sampleArea struct {
	name, desc string
	features   []sampleFeature
}

type sampleFeature struct {
	name      string
	specifics []string
}

// parseVocabulary reads sampleVocabulary; it is a constant, so a mistake panics in
// every test run rather than producing a subtly wrong demo.
func parseVocabulary() []sampleArea {
	var areas []sampleArea
	for _, line := range strings.Split(sampleVocabulary, "\n") {
		switch {
		case strings.TrimSpace(line) == "":
		case !strings.HasPrefix(line, " "):
			name, desc, _ := strings.Cut(line, "|")
			areas = append(areas, sampleArea{name: strings.TrimSpace(name), desc: strings.TrimSpace(desc)})
		default:
			name, rest, ok := strings.Cut(line, ":")
			if !ok || len(areas) == 0 {
				panic("taxonomy: bad sample vocabulary line: " + line)
			}
			f := sampleFeature{name: strings.TrimSpace(name)}
			for _, s := range strings.Split(rest, ";") {
				f.specifics = append(f.specifics, strings.TrimSpace(s))
			}
			a := &areas[len(areas)-1]
			a.features = append(a.features, f)
		}
	}
	return areas
}

// Sample returns a realistic three-level taxonomy of n tags (fewer only when n is
// beyond what the vocabulary can make, about 3,900) for demos and benchmarks: product areas,
// their features, and specifics under each feature, unevenly spread the way real
// taxonomies are. The same n and seed always give the same tags, with ids "tag_0001",
// "tag_0002", … assigned parents first. About 2% of the specifics are archived, so
// demos show archiving. Areas have descriptions.
func Sample(n int, seed uint64) []Tag {
	if n <= 0 {
		return nil
	}
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	vocab := parseVocabulary()
	root := math.Sqrt(float64(n))
	nAreas := min(max(int(math.Round(root*0.6)), 1), len(vocab), n)
	perArea := max(int(math.Round(root*0.4)), 1)

	width := max(4, len(fmt.Sprint(n)))
	var tags []Tag
	add := func(parent, name, desc string, archived bool) string {
		id := fmt.Sprintf("tag_%0*d", width, len(tags)+1)
		tags = append(tags, Tag{ID: id, ParentID: parent, Name: name, Description: desc, Archived: archived})
		return id
	}

	// Level 1: the first nAreas areas, in vocabulary order (the core ones first).
	areaIDs := make([]string, nAreas)
	pools := make([][]sampleFeature, nAreas)
	for i := range nAreas {
		areaIDs[i] = add("", vocab[i].name, vocab[i].desc, false)
		pools[i] = append([]sampleFeature(nil), vocab[i].features...)
		rng.Shuffle(len(pools[i]), func(a, b int) { pools[i][a], pools[i][b] = pools[i][b], pools[i][a] })
	}
	// Level 2: round-robin over areas so every area gets features before any gets
	// many, up to perArea each.
	var feats []featureSlot
	for round := 0; round < perArea && len(tags) < n; round++ {
		for i := range nAreas {
			if len(tags) >= n || round >= len(pools[i]) {
				continue
			}
			f := pools[i][round]
			own := append([]string(nil), f.specifics...)
			rng.Shuffle(len(own), func(a, b int) { own[a], own[b] = own[b], own[a] })
			generic := append([]string(nil), sampleAspects...)
			rng.Shuffle(len(generic), func(a, b int) { generic[a], generic[b] = generic[b], generic[a] })
			id := add(areaIDs[i], f.name, "", false)
			feats = append(feats, featureSlot{id: id, own: own, generic: without(generic, own)})
		}
	}
	// Level 3: passes over the features, each taking one more of its own specifics
	// with probability 0.7, so some features end up with many and some with few.
	// Only when every feature's own list is used up do the generic aspects fill in.
	for _, generic := range []bool{false, true} {
		for len(tags) < n {
			added := false
			for i := range feats {
				f := &feats[i]
				cands := &f.own
				if generic {
					cands = &f.generic
				}
				if len(tags) >= n || len(*cands) == 0 || rng.Float64() >= 0.7 {
					continue
				}
				name := (*cands)[0]
				*cands = (*cands)[1:]
				add(f.id, name, "", rng.Float64() < 0.02)
				added = true
			}
			if !added && exhausted(feats, generic) {
				break
			}
		}
	}
	return tags
}

// without drops from names those also in taken (case-insensitively), keeping
// sibling names unique when generic aspects join a feature's own specifics.
func without(names, taken []string) []string {
	seen := map[string]bool{}
	for _, n := range taken {
		seen[fold(n)] = true
	}
	var out []string
	for _, n := range names {
		if !seen[fold(n)] {
			out = append(out, n)
		}
	}
	return out
}

// featureSlot is a feature placed in the sample with the specifics it has left.
type featureSlot struct {
	id           string
	own, generic []string // remaining specifics, in the order they will be used
}

func exhausted(feats []featureSlot, generic bool) bool {
	for _, f := range feats {
		if (!generic && len(f.own) > 0) || (generic && len(f.generic) > 0) {
			return false
		}
	}
	return true
}
