# Steward — build, test and run everything from a fresh clone, offline.
#
#   make demo   # local control plane, CRDs, manager, samples, evidence; then tears down
#   make test   # unit, envtest integration and e2e tests
#   make help   # every target

# Image URL to use all building/pushing image targets
IMG ?= steward-manager:latest
# YEAR is substituted into the boilerplate header of generated files.
YEAR ?= $(shell date +%Y)

# Setting SHELL to bash allows bash commands to be executed by recipes.
# Options are set to exit when a recipe line exits non-zero or a piped command fails.
SHELL = /usr/bin/env bash -o pipefail
.SHELLFLAGS = -ec

CONTAINER_TOOL ?= docker

.PHONY: all
all: build

##@ General

.PHONY: help
help: ## Display this help.
	@awk 'BEGIN {FS = ":.*##"; printf "\nUsage:\n  make \033[36m<target>\033[0m\n"} /^[a-zA-Z_0-9-]+:.*?##/ { printf "  \033[36m%-18s\033[0m %s\n", $$1, $$2 } /^##@/ { printf "\n\033[1m%s\033[0m\n", substr($$0, 5) } ' $(MAKEFILE_LIST)

.PHONY: demo
demo: build ## Start a local control plane, run Steward on the samples, print the evidence, stop everything.
	hack/demo.sh

##@ Development

.PHONY: manifests
manifests: controller-gen ## Generate the CRDs and the manager's ClusterRole (and copy them into charts/steward).
	"$(CONTROLLER_GEN)" rbac:roleName=manager-role crd paths="./..." output:crd:artifacts:config=config/crd/bases
	@hack/sync-chart.sh

.PHONY: generate
generate: controller-gen ## Generate DeepCopy implementations.
	"$(CONTROLLER_GEN)" object:headerFile="hack/boilerplate.go.txt",year=$(YEAR) paths="./..."

.PHONY: verify-generated
verify-generated: controller-gen ## Fail if regenerating changes the generated files (CRDs, RBAC, deepcopy).
	@generated="config/crd/bases/*.yaml config/rbac/role.yaml api/v1alpha1/zz_generated.deepcopy.go charts/steward/crds/*.yaml charts/steward/files/*.yaml"; \
	before="$$(cat $$generated | sha256sum)"; \
	$(MAKE) -s manifests generate >/dev/null; \
	if [ "$$(cat $$generated | sha256sum)" != "$$before" ]; then \
		echo "generated files were stale: 'make manifests generate' changed them; commit the result"; exit 1; \
	fi

.PHONY: fmt
fmt: ## Rewrite the code in gofmt's layout.
	go fmt ./...

.PHONY: verify-fmt
verify-fmt: ## Fail, naming the files, if any Go file is not gofmt-formatted (make fmt rewrites them).
	@unformatted="$$(gofmt -l $$(git ls-files --cached --others --exclude-standard '*.go'))"; \
	if [ -n "$$unformatted" ]; then \
		echo "these files are not gofmt-formatted; run 'make fmt' and commit the result:"; echo "$$unformatted"; exit 1; \
	fi

.PHONY: vet
vet: ## Run go vet against code (including the e2e suite).
	go vet ./...
	go vet -tags e2e ./test/...
	go vet -tags chart ./test/chart/

.PHONY: test
test: verify-generated verify-fmt vet lint test-unit test-system ## Run every gate and test: generated files, format, vet, lint, unit and envtest (with -race), e2e, the Helm chart, the krew manifest, the evidence report in headless Chromium.

# The e2e suite spends most of its time waiting for real deadlines (grace
# periods, expiries, the API server's token cache) with a core to spare, so
# the reliability runs and the packaging checks run beside it, each on a
# control plane or in a directory of its own. Each target's output is
# printed whole when it ends.
.PHONY: test-system
test-system: build envtest-bins ## Run the e2e suite and, beside it, the quick reliability runs and the Helm chart, krew and report checks.
	$(MAKE) --no-print-directory -j2 --output-sync=target e2e-suite test-beside-e2e

# The e2e suite on what test-system built: nothing beside it regenerates
# files the packaging checks read.
.PHONY: e2e-suite
e2e-suite:
	hack/e2e.sh

.PHONY: test-beside-e2e
test-beside-e2e: ## Run the quick reliability runs, then the Helm chart, krew and report checks (on what test-system built).
	hack/reliability.sh --quick
	$(MAKE) --no-print-directory test-chart test-krew test-report

.PHONY: test-reliability
test-reliability: build envtest-bins ## Run kill -9, leader failover and API server restart at a quick scale, on a control plane of their own.
	hack/reliability.sh --quick

.PHONY: test-unit
test-unit: envtest-bins ## Run unit and envtest integration tests against the locally built control plane (with client-go's cache mutation detector: Steward reads cached objects without copying them, and a write to one panics).
	KUBE_CACHE_MUTATION_DETECTOR=true KUBEBUILDER_ASSETS="$$(hack/envtest-bins.sh | tail -n 1)" go test -race $$(go list ./... | grep -v /test/e2e) -coverprofile cover.out

.PHONY: test-e2e
test-e2e: build envtest-bins ## Run the e2e suite against a local control plane started for it (make test-reliability runs the reliability scenarios).
	hack/e2e.sh

.PHONY: test-chart
test-chart: envtest-bins ## Lint the Helm chart, compare it with config/default, install it on a local control plane.
	hack/test-chart.sh

.PHONY: test-report
test-report: envtest-bins ## Render the evidence report with headless Chromium to PNG and PDF and check its sections (installs chromium).
	hack/test-report.sh

.PHONY: test-krew
test-krew: envtest-bins ## Validate the krew plugin manifest with krew's validator and install it with krew.
	hack/test-krew.sh

.PHONY: bench
bench: build envtest-bins ## Measure convergence, memory, deadline latency and idle writes; writes docs/benchmarks.md.
	hack/bench.sh

.PHONY: lint
lint: golangci-lint ## Run golangci-lint.
	"$(GOLANGCI_LINT)" run

##@ Build

.PHONY: build
build: manifests generate verify-fmt vet ## Build bin/manager and bin/kubectl-steward.
	go build -o bin/manager ./cmd
	go build -o bin/kubectl-steward ./cmd/kubectl-steward

.PHONY: run
run: manifests generate verify-fmt vet ## Run the manager against the cluster of $KUBECONFIG.
	go run ./cmd

.PHONY: krew-manifest
krew-manifest: ## Build the plugin's release archives for every platform and render dist/krew/steward.yaml (VERSION=vX.Y.Z).
	hack/krew-manifest.sh "$(or $(VERSION),v0.0.0-dev)" dist/krew

.PHONY: docker-build
docker-build: ## Build the manager image (needs a container engine and registry access).
	$(CONTAINER_TOOL) build $(if $(BASE_IMAGE),--build-arg BASE_IMAGE=$(BASE_IMAGE)) -t ${IMG} .

.PHONY: build-installer
build-installer: manifests generate envtest-bins ## Render dist/install.yaml: CRDs, RBAC and the manager Deployment.
	mkdir -p dist
	"$(KUBECTL)" kustomize config/default > dist/install.yaml

##@ Local control plane

.PHONY: envtest-bins
envtest-bins: ## Build or reuse etcd, kube-apiserver, kube-controller-manager and kubectl; prints their directory last.
	@hack/envtest-bins.sh

.PHONY: cluster-up
cluster-up: ## Start the local control plane (hack/local-cluster.sh up).
	@hack/local-cluster.sh up

.PHONY: cluster-down
cluster-down: ## Stop the local control plane and remove its state.
	@hack/local-cluster.sh down

##@ Deployment

ifndef ignore-not-found
  ignore-not-found = false
endif

.PHONY: install
install: manifests envtest-bins ## Install the CRDs into the cluster of $KUBECONFIG.
	"$(KUBECTL)" apply --server-side -k config/crd

.PHONY: uninstall
uninstall: manifests envtest-bins ## Remove the CRDs from the cluster of $KUBECONFIG.
	"$(KUBECTL)" delete --ignore-not-found=$(ignore-not-found) -k config/crd

.PHONY: deploy
deploy: manifests envtest-bins ## Deploy CRDs, RBAC and the manager to the cluster of $KUBECONFIG.
	"$(KUBECTL)" apply --server-side -k config/default

.PHONY: undeploy
undeploy: envtest-bins ## Remove what deploy created.
	"$(KUBECTL)" delete --ignore-not-found=$(ignore-not-found) -k config/default

##@ Dependencies

## Location to install dependencies to
LOCALBIN ?= $(shell pwd)/bin
$(LOCALBIN):
	mkdir -p "$(LOCALBIN)"

## kubectl built at the control plane's version (v1.37), within version skew.
KUBECTL ?= $(shell hack/envtest-bins.sh --print-dir)/kubectl
CONTROLLER_GEN ?= $(LOCALBIN)/controller-gen

## Tool Versions
CONTROLLER_TOOLS_VERSION ?= v0.23.0

.PHONY: controller-gen
controller-gen: $(CONTROLLER_GEN) ## Download controller-gen locally if necessary.
$(CONTROLLER_GEN): $(LOCALBIN)
	$(call go-install-tool,$(CONTROLLER_GEN),sigs.k8s.io/controller-tools/cmd/controller-gen,$(CONTROLLER_TOOLS_VERSION))

# golangci-lint with the logcheck module plugin compiled in, built from the
# Go module proxy (hack/tools/golangci-lint pins both) and cached outside the
# repository by hack/tools.sh.
GOLANGCI_LINT = $(shell hack/tools.sh --print-path golangci-lint)

.PHONY: golangci-lint
golangci-lint: ## Build golangci-lint with the logcheck plugin if necessary.
	@hack/tools.sh golangci-lint >/dev/null

# go-install-tool will 'go install' any package with custom target and name of binary, if it doesn't exist
# $1 - target path with name of binary
# $2 - package url which can be installed
# $3 - specific version of package
define go-install-tool
@[ -f "$(1)-$(3)" ] && [ "$$(readlink -- "$(1)" 2>/dev/null)" = "$(1)-$(3)" ] || { \
set -e; \
package=$(2)@$(3) ;\
echo "Downloading $${package}" ;\
rm -f "$(1)" ;\
GOBIN="$(LOCALBIN)" go install $${package} ;\
mv "$(LOCALBIN)/$$(basename "$(1)")" "$(1)-$(3)" ;\
} ;\
ln -sf "$$(realpath "$(1)-$(3)")" "$(1)"
endef
