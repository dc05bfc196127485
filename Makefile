# Build, test and deploy the journeys project. `make help` lists the targets.
#
# Everything the tests need is installed by `make tools` into this folder:
# .venv (cfn-lint, aws-sam-cli, moto), node_modules (asl-validator) and bin/
# (the Lambda Runtime Interface Emulator and staticcheck), all pinned.

SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

export SAM_CLI_TELEMETRY := 0
export GOFLAGS := -buildvcs=false

ROOT      := $(abspath .)
BIN       := $(ROOT)/bin
VENV      := $(ROOT)/.venv
BUILD     := $(ROOT)/build
FUNCTIONS := $(notdir $(patsubst %/,%,$(wildcard functions/*/)))
VERSION   ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)

# One build rule for every Lambda, used by `make build`, by SAM's makefile
# builder (build-<LogicalId>) and, with the host's GOARCH, by the tests.
LAMBDA_FLAGS := -tags lambda.norpc -trimpath -ldflags "-s -w"
# Every artifact also carries the business units' settings files (secrets
# are only named there), which functions read from SETTINGS_DIR=settings.
define build_lambda # $(1)=function folder, $(2)=output dir, $(3)=GOARCH
	mkdir -p $(2)/settings
	cd $(ROOT) && CGO_ENABLED=0 GOOS=linux GOARCH=$(3) go build $(LAMBDA_FLAGS) -o $(2)/bootstrap ./functions/$(1)
	cp $(ROOT)/journeys/settings/*.settings.yaml $(2)/settings/
endef

.PHONY: help
help: ## list the targets
	@grep -hE '^[a-zA-Z_%-]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/:.*## /\t/' | sort | column -t -s $$'\t'

## ---- the two commands from the README --------------------------------------

.PHONY: run
run: tools-go cli ## the main job: the local runtime on the bundled example journeys
	$(BUILD)/journeys demo

.PHONY: test
test: tools build-host ## every test: unit, conformance, integration with moto, RIE and cfn-lint, browser
	scripts/test.sh

## ---- build ------------------------------------------------------------------

.PHONY: build
build: $(addprefix $(BUILD)/arm64/,$(addsuffix /bootstrap,$(FUNCTIONS))) cli ## every function's bootstrap for linux/arm64, plus the CLI
	@echo "built $(words $(FUNCTIONS)) functions into $(BUILD)/arm64 and the CLI into $(BUILD)/journeys"

.PHONY: cli
cli: ## the command line, for this machine, into build/journeys
	go build -trimpath -ldflags "-X main.version=$(VERSION)" -o $(BUILD)/journeys ./cmd/journeys

.PHONY: build-host
build-host: ## every function's bootstrap for this machine's architecture (tests, make invoke)
	@$(foreach f,$(FUNCTIONS),$(call build_lambda,$(f),$(BUILD)/host/$(f),$(shell go env GOARCH));)

# Always rebuilt: go build is incremental and knows the real dependencies.
.PHONY: $(BUILD)/arm64/%/bootstrap
$(BUILD)/arm64/%/bootstrap:
	$(call build_lambda,$*,$(BUILD)/arm64/$*,arm64)

# SAM's makefile builder calls build-<LogicalId> with ARTIFACTS_DIR set.
# SendFunction -> functions/send, ApprovalCallbackFunction -> functions/approval-callback.
build-%Function:
	$(call build_lambda,$(shell echo '$*' | sed -E 's/([a-z0-9])([A-Z])/\1-\2/g' | tr A-Z a-z),$(ARTIFACTS_DIR),arm64)

.PHONY: statemachines
statemachines: cli ## regenerate statemachines/*.asl.json from journeys/
	$(BUILD)/journeys compile --out statemachines journeys/*.journey.yaml

.PHONY: schema
schema: ## regenerate the JSON Schemas of journey, segment, contact schema and contacts files from the Go types
	go run ./internal/journey/schemagen schema

## ---- quality ----------------------------------------------------------------

.PHONY: lint
lint: tools ## gofmt, go vet, staticcheck, cfn-lint
	@out=$$(gofmt -s -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt -s would change:"; echo "$$out"; exit 1; fi
	go vet ./...
	$(BIN)/staticcheck ./...
	$(VENV)/bin/cfn-lint template.yaml

.PHONY: bench
bench: tools build-host ## the figures the README reports
	scripts/bench.sh

## ---- local use ----------------------------------------------------------------

.PHONY: dev
dev: cli ## the whole system on this machine (HTTP routes, embedded store, journeys)
	$(BUILD)/journeys dev

.PHONY: invoke
invoke: tools-go tools-py ## run one function under the Lambda emulator: make invoke FN=send EVENT=events/send.json
	@test -n "$(FN)" || { echo "usage: make invoke FN=<function> [EVENT=events/<function>.json]"; exit 2; }
	$(call build_lambda,$(FN),$(BUILD)/host/$(FN),$(shell go env GOARCH))
	go run ./cmd/journeys invoke --rie $(BIN)/aws-lambda-rie --bootstrap $(BUILD)/host/$(FN)/bootstrap \
		--event $(or $(EVENT),events/$(FN).json)

## ---- deploy -------------------------------------------------------------------

.PHONY: deploy
deploy: tools ## sam build + sam deploy (ENV=dev|prod, from samconfig.toml)
	$(VENV)/bin/sam build --build-in-source
	$(VENV)/bin/sam deploy --config-env $(or $(ENV),dev)

## ---- tools --------------------------------------------------------------------

.PHONY: tools tools-go tools-py tools-node tools-browser
tools: tools-go tools-py tools-node tools-browser ## install the pinned test tools into this folder

tools-go: $(BIN)/.stamp
$(BIN)/.stamp: tools/go.mod tools/go.sum
	cd tools && GOBIN=$(BIN) go install tool
	touch $@

tools-py: $(VENV)/.stamp
$(VENV)/.stamp: tools/requirements.txt
	test -x $(VENV)/bin/python || python3 -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --disable-pip-version-check -r tools/requirements.txt
	touch $@

tools-node: node_modules/.stamp
node_modules/.stamp: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

# Debian's Chromium for the browser tests; installed only when missing.
tools-browser:
	@command -v chromium >/dev/null || scripts/install-chromium.sh

.PHONY: requirements
requirements: ## re-pin tools/requirements.txt from tools/requirements.in
	rm -rf $(BUILD)/reqvenv && python3 -m venv $(BUILD)/reqvenv
	$(BUILD)/reqvenv/bin/pip install --quiet -r tools/requirements.in
	{ echo '# Generated by `make requirements` from requirements.in (pip freeze). DO NOT EDIT.'; \
	  $(BUILD)/reqvenv/bin/pip freeze; } > tools/requirements.txt

.PHONY: clean
clean: ## remove build output (keeps the installed tools)
	rm -rf $(BUILD)
