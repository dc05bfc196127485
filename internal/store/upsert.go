package store

import (
	"fmt"
	"time"
)

// PreparePatch validates a patch for bu (the business unit, the id if one is
// given) and normalises its email address and phone number.
func PreparePatch(bu string, p ContactPatch) (ContactPatch, error) {
	if err := CheckID("bu", bu); err != nil {
		return p, err
	}
	if p.ID != "" {
		if err := CheckID("contact", p.ID); err != nil {
			return p, err
		}
	}
	return p.Normalize()
}

// PrepareByEmail is PreparePatch for UpsertContactByEmail: the patch must
// carry an email address, and its ID is ignored (the address finds the
// contact, or a new id is made).
func PrepareByEmail(bu string, p ContactPatch) (ContactPatch, error) {
	p.ID = ""
	p, err := PreparePatch(bu, p)
	if err == nil && (p.Email == nil || *p.Email == "") {
		err = fmt.Errorf("no email address: %w", ErrInvalid)
	}
	return p, err
}

// A ContactChange is what an upsert of one contact decided: the record to
// write, and the address checks and email index moves that go with it.
// Adapters carry out all of it atomically, or none of it.
type ContactChange struct {
	Old     Contact // the stored contact (zero when Created)
	New     Contact
	Created bool
	// ClaimEmail is the address the contact takes ("" when its address
	// does not change or is cleared): it must not be suppressed nor belong
	// to another contact (ErrSuppressed, ErrEmailTaken).
	ClaimEmail string
	// ReleaseEmail is the address the contact gives up ("" if none).
	ReleaseEmail string
	// CheckPhone is the contact's new phone number ("" when it does not
	// change or is cleared): it must not be suppressed.
	CheckPhone string
}

// PlanUpsert decides the upsert of the prepared patch p (PreparePatch, with
// its id set) into old, the stored contact (exists false when there is
// none), at now. It fails with ErrNotFound or ErrConflict when
// p.ExpectRevision says so. Every adapter calls it, so the merge and the
// revision rules are the same everywhere.
func PlanUpsert(bu string, old Contact, exists bool, p ContactPatch, now time.Time) (ContactChange, error) {
	switch {
	case !exists && p.ExpectRevision != 0:
		return ContactChange{}, fmt.Errorf("expected revision %d of a missing contact: %w", p.ExpectRevision, ErrNotFound)
	case exists && p.ExpectRevision != 0 && p.ExpectRevision != old.Revision:
		return ContactChange{}, fmt.Errorf("revision %d, expected %d: %w", old.Revision, p.ExpectRevision, ErrConflict)
	}
	if !exists {
		old = Contact{}
	}
	next := old.Apply(p, now)
	next.BU, next.ID = bu, p.ID
	ch := ContactChange{Old: old, New: next, Created: !exists}
	if next.Email != old.Email {
		ch.ClaimEmail, ch.ReleaseEmail = next.Email, old.Email
	}
	if next.Phone != old.Phone {
		ch.CheckPhone = next.Phone
	}
	return ch, nil
}

// PrepareSuppression returns the suppression record of an address for bu
// (without its reason and time), keyed by its hash: ErrInvalid for a
// malformed address or an unknown kind.
func PrepareSuppression(h *AddressHasher, bu string, kind AddressKind, address string) (Suppression, error) {
	n, err := NormalizeAddress(kind, address)
	if err == nil {
		err = CheckID("bu", bu)
	}
	if err != nil {
		return Suppression{}, err
	}
	return Suppression{BU: bu, Kind: kind, Hash: h.Hash(bu, kind, n)}, nil
}

// ErasureSuppressions returns the suppressions that erasing c leaves behind:
// its email address and phone number, hashed, reason erased.
func ErasureSuppressions(h *AddressHasher, c Contact, now time.Time) []Suppression {
	var out []Suppression
	for _, a := range []struct {
		kind AddressKind
		addr string
	}{{AddressEmail, c.Email}, {AddressPhone, c.Phone}} {
		if a.addr != "" {
			out = append(out, Suppression{BU: c.BU, Kind: a.kind, Hash: h.Hash(c.BU, a.kind, a.addr), Reason: SuppressedErased, At: UTC(now)})
		}
	}
	return out
}
