module github.com/journeys-oss/journeys

go 1.26

require (
	github.com/aws/aws-lambda-go v1.55.1 // indirect
	github.com/goccy/go-json v0.10.2 // indirect
	github.com/google/go-cmp v0.7.0 // indirect
	github.com/ncruces/go-strftime v0.1.9 // indirect
	github.com/shopspring/decimal v1.3.1 // indirect
	github.com/xiatechs/jsonata-go v1.8.8 // indirect
)
