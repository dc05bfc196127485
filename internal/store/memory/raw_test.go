package memory

import (
	"encoding/json"
	"fmt"
	"testing"
)

// raw lists everything the store holds, keys and values, as text: the
// erasure test looks through it for any trace of an erased contact.
func raw(s *Store) func(t *testing.T) []string {
	return func(t *testing.T) []string {
		var out []string
		add := func(kind string, key, v any) {
			b, err := json.Marshal(v)
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, fmt.Sprintf("%s %v %s", kind, key, b))
		}
		for n := range s.contacts {
			sh := &s.contacts[n]
			sh.mu.RLock()
			for bu, b := range sh.bus {
				for id, cd := range b.contacts {
					if cd.profile != nil {
						add("contact", bu+"/"+id, cd.profile)
					}
					for _, i := range cd.interactions {
						add("interaction", bu+"/"+id, i.record(&sh.strs, bu, id, 0))
					}
					for _, l := range cd.stepLogs {
						add("steplog", bu+"/"+id, l.record(&sh.strs, bu, id, 0))
					}
					for _, e := range cd.enrolments {
						add("enrolment", bu+"/"+id, e)
					}
				}
				for _, id := range b.profiles.keys {
					add("profiles", bu, id)
				}
				for k, set := range b.enrolled {
					for _, r := range set.keys {
						add("enrolled", fmt.Sprint(bu, k), r.contact+"/"+r.entry)
					}
				}
			}
			sh.mu.RUnlock()
		}
		for n := range s.emails {
			for k, id := range s.emails[n].ids {
				add("email", k, id)
			}
		}
		for bu, m := range s.sup.byBU {
			for h, sup := range m {
				add("suppression", bu+"/"+h, sup)
			}
		}
		for k, a := range s.apprs.byID {
			add("approval", k, a)
		}
		for k, ids := range s.apprs.byContact {
			add("approvalsByContact", k, ids)
		}
		for bu, set := range s.apprs.pending {
			for _, r := range set.keys {
				add("pending", bu, r.id)
			}
		}
		for k, c := range s.cbs.byID {
			add("callback", k, c)
		}
		for k, ids := range s.cbs.byContact {
			add("callbacksByContact", k, ids)
		}
		for k, t := range s.tasks.byID {
			add("task", k, t)
		}
		for k, set := range s.tasks.byOwner {
			for _, r := range set.keys {
				add("tasksByOwner", k, r.id)
			}
		}
		for k, ids := range s.tasks.byContact {
			add("tasksByContact", k, ids)
		}
		for n := range s.idem {
			for k, r := range s.idem[n].recs {
				add("idempotency", k, r)
			}
		}
		for k, o := range s.owners.byID {
			add("owner", k, o)
		}
		for bu, es := range s.audit.byBU {
			add("audit", bu, es)
		}
		for h, k := range s.keys.byHash {
			add("apikey", h, k)
		}
		return out
	}
}
