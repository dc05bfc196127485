module github.com/journeys-oss/journeys

go 1.26

require (
	github.com/aws/aws-lambda-go v1.55.1 // indirect
	github.com/google/go-cmp v0.7.0 // indirect
)
