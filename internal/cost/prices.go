package cost

// Prices are on-demand prices in US dollars.
type Prices struct {
	// StateTransition is one Standard workflow state transition.
	StateTransition float64
	// LambdaRequest is one Lambda invocation; LambdaGBSecond one GB-second
	// of arm64 compute.
	LambdaRequest  float64
	LambdaGBSecond float64
	// ReadUnit and WriteUnit are one DynamoDB on-demand read and write
	// request unit.
	ReadUnit  float64
	WriteUnit float64
	// HTTPRequest is one API Gateway HTTP API request (first 300 million a
	// month).
	HTTPRequest float64
	// Source says where and when the prices were read.
	Source string
}

// Public prices of US East (N. Virginia), as published on the AWS pricing
// pages (aws.amazon.com/step-functions/pricing, /lambda/pricing,
// /dynamodb/pricing/on-demand, /api-gateway/pricing), read 2026-03 for this
// project. DynamoDB's on-demand prices are those after the 50% reduction
// of 2024-11-01. Free tiers are left out.
const (
	USEastStateTransition = 0.025 / 1000      // $0.025 per 1,000 state transitions
	USEastLambdaRequest   = 0.20 / 1_000_000  // $0.20 per 1M requests
	USEastLambdaArmGBs    = 0.0000133334      // arm64, first 7.5 billion GB-s a month
	USEastReadUnit        = 0.125 / 1_000_000 // $0.125 per 1M read request units
	USEastWriteUnit       = 0.625 / 1_000_000 // $0.625 per 1M write request units
	USEastHTTPRequest     = 1.00 / 1_000_000  // $1.00 per 1M HTTP API requests
	priceSource           = "AWS public on-demand prices, US East (N. Virginia), read 2026-03; free tiers excluded"
)

// USEast returns the US East (N. Virginia) prices.
func USEast() Prices {
	return Prices{StateTransition: USEastStateTransition, LambdaRequest: USEastLambdaRequest, LambdaGBSecond: USEastLambdaArmGBs,
		ReadUnit: USEastReadUnit, WriteUnit: USEastWriteUnit, HTTPRequest: USEastHTTPRequest, Source: priceSource}
}
