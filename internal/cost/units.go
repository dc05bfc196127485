package cost

// Units is what one store call costs in DynamoDB.
type Units struct {
	Requests int     `json:"requests"` // API requests
	RRU      float64 `json:"rru"`      // read request units
	WRU      float64 `json:"wru"`      // write request units, index writes included
}

// Add returns u + v·n.
func (u Units) Add(v Units, n float64) Units {
	u.Requests += int(float64(v.Requests)*n + 0.5)
	u.RRU += v.RRU * n
	u.WRU += v.WRU * n
	return u
}

// Item size assumptions behind StoreUnits: a contact profile, enrolment,
// callback, idempotency record or journey record is under 4 KB (one read
// unit for a strongly consistent read, half for an eventually consistent
// one) and every written item under 1 KB (one write unit, one more for each
// global secondary index the write changes; a key change of an index is a
// delete and a put there). A contact's interactions and step log read by a
// Query fit in 4 KB. Transactions cost twice.
const (
	strongRead   = 1.0
	eventualRead = 0.5
	oneWrite     = 1.0
)

// StoreUnits maps each store method the handlers, the enroller and the
// tracking endpoint call to what the DynamoDB adapter (internal/store/dynamo)
// does for it.
var StoreUnits = map[string]Units{
	// GetItem, strongly consistent.
	"GetJourney":     {1, strongRead, 0},
	"GetContact":     {1, strongRead, 0},
	"GetOwner":       {1, strongRead, 0},
	"GetSuppression": {1, strongRead, 0},
	"GetEnrolment":   {1, strongRead, 0},
	"GetApproval":    {1, strongRead, 0},
	// GetVersion is not here: the catalog reads a journey version once per
	// container (cold start), not per contact.
	// Query of one partition, strongly consistent, up to 4 KB.
	"ListInteractions":  {1, strongRead, 0},
	"CountInteractions": {1, strongRead, 0},
	"ListStepLogs":      {1, strongRead, 0},
	"LatestEnrolment":   {1, strongRead, 0},
	// Query of GSI2, eventually consistent.
	"WaitingCallbacks": {1, eventualRead, 0},
	// PutItem of an item in no index.
	"AppendInteraction": {1, 0, oneWrite},
	"AppendStepLog":     {1, 0, oneWrite},
	// UpdateItem ADD on a counter shard.
	"IncrementFunnel": {1, 0, oneWrite},
	// Conditional PutItem, GSI1 (journey, status, shard) written too.
	"CreateEnrolment": {1, 0, 2 * oneWrite},
	// GetItem, then a conditional PutItem: the base item and GSI1 (a
	// status change moves the index entry: delete and put, counted here
	// as the common case of one index write).
	"UpdateEnrolment": {2, strongRead, 2 * oneWrite},
	// Conditional PutItem, GSI2 (by contact) written too.
	"CreateCallback": {1, 0, 2 * oneWrite},
	"CreateApproval": {1, 0, 2 * oneWrite},
	// GetItem, then a conditional PutItem of the claimed record (GSI2).
	"ClaimCallback": {2, strongRead, 2 * oneWrite},
	// GetItem, then a conditional PutItem of the decided approval (GSI2).
	"DecideApproval": {2, strongRead, 2 * oneWrite},
	// GetItem, then a conditional PutItem (lease, or the stored result).
	"BeginIdempotency":    {2, strongRead, oneWrite},
	"CompleteIdempotency": {2, strongRead, oneWrite},
	"ReleaseIdempotency":  {2, strongRead, oneWrite},
	// Conditional PutItem, GSI1 (owner) and GSI2 (contact) written too.
	"CreateSalesTask": {1, 0, 3 * oneWrite},
	// GetItem of the profile, then a conditional PutItem (GSI1: the
	// contact's shard) when no address changes; an address change is a
	// transaction (email reference, suppression check): see
	// UpsertContactByEmail.
	"UpsertContact": {2, strongRead, 2 * oneWrite},
	// GetItem of the email reference and of the profile, then a
	// transaction: profile and GSI1, email reference, suppression check;
	// twice the units as a transaction.
	"UpsertContactByEmail": {3, 2 * strongRead, 2 * (2*oneWrite + oneWrite + oneWrite)},
	// PutItem of a suppression.
	"Suppress": {1, 0, oneWrite},
}
