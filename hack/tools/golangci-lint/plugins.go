/*
Copyright 2026 The Steward Authors.

Licensed under the Apache License, Version 2.0 (the "License");
you may not use this file except in compliance with the License.
You may obtain a copy of the License at

    http://www.apache.org/licenses/LICENSE-2.0

Unless required by applicable law or agreed to in writing, software
distributed under the License is distributed on an "AS IS" BASIS,
WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
See the License for the specific language governing permissions and
limitations under the License.
*/

package main

// Module plugins: each registers itself by name in its init; .golangci.yml
// enables it under linters.settings.custom.<name> with type "module".
import (
	// Registers "logcheck" (Kubernetes logging conventions).
	_ "sigs.k8s.io/logtools/logcheck/gclplugin"
)
