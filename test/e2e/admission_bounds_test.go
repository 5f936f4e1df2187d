//go:build e2e

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

package e2e

import (
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/nhi-steward/steward/test/utils"
)

// stewardManager is the username Steward's manager authenticates as
// (config/local), which the manager-bounds and protected-keys policies name.
const stewardManager = "system:serviceaccount:steward-system:steward-controller-manager"

// The manager-bounds and protected-keys ValidatingAdmissionPolicies in
// config/admission. The manager's own requests are impersonated; for the
// operations its RBAC does not grant (creating identities or bindings,
// deleting bindings, writing ledgers), the specs grant them for the
// duration, to show that admission refuses them even then.
var _ = Describe("Admission: bounds on the manager, and protected keys", Ordered, func() {
	const (
		namespace   = "e2e-admission-bounds"
		ledgerName  = "e2e-admission-probe"
		clusterRole = "e2e-admission-bounds-manager"
		crb         = "e2e-admission-bounds"
	)

	kubectl := func(args ...string) utils.Result { return utils.Kubectl(args...) }
	asManager := func(args ...string) utils.Result {
		return utils.Kubectl(append([]string{"--as", stewardManager}, args...)...)
	}
	apply := func(manifest string, args ...string) utils.Result {
		return utils.KubectlWithInput(manifest, append(args, "apply", "-f", "-")...)
	}
	create := func(manifest string, args ...string) utils.Result {
		return utils.KubectlWithInput(manifest, append(args, "create", "-f", "-")...)
	}
	merge := func(kind, name, patch string) []string {
		return []string{"patch", kind, name, "-n", namespace, "--type=merge", "-p", patch}
	}
	refused := func(result utils.Result, messages ...string) {
		GinkgoHelper()
		Expect(result.Err).To(HaveOccurred(), "admitted, but it should have been refused with %q", messages)
		for _, message := range messages {
			Expect(result.Stderr).To(ContainSubstring(message))
		}
	}
	admitted := func(result utils.Result) {
		GinkgoHelper()
		Expect(result.Err).NotTo(HaveOccurred(), result.String())
	}
	jsonpath := func(kind, name, path string) string {
		GinkgoHelper()
		result := kubectl("get", kind, name, "-n", namespace, "-o", "jsonpath="+path)
		Expect(result.Err).NotTo(HaveOccurred(), result.String())
		return result.Stdout
	}

	BeforeAll(func() {
		admitted(kubectl("create", "namespace", namespace))
		DeferCleanup(func() { kubectl("delete", "namespace", namespace, "--wait=false", "--ignore-not-found") })
		admitted(kubectl("wait", "--for=condition=Established", "--timeout=60s", "crd/ledgers.nhi.steward.dev"))

		// What the manager's RBAC lacks, granted for these specs only.
		admitted(apply(`
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: ` + clusterRole + `}
rules:
- apiGroups: [""]
  resources: [serviceaccounts, secrets]
  verbs: [create, update, patch]
- apiGroups: [rbac.authorization.k8s.io]
  resources: [rolebindings, clusterrolebindings]
  verbs: [create, update, patch, delete]
- apiGroups: [nhi.steward.dev]
  resources: [ledgers, ledgers/status]
  verbs: [get, create, update, patch, delete]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: ` + clusterRole + `, namespace: ` + namespace + `}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: ` + clusterRole + `}
subjects: [{kind: ServiceAccount, name: steward-controller-manager, namespace: steward-system}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: ` + clusterRole + `, namespace: steward-system}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: ` + clusterRole + `}
subjects: [{kind: ServiceAccount, name: steward-controller-manager, namespace: steward-system}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: ` + clusterRole + `}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: ` + clusterRole + `}
subjects: [{kind: ServiceAccount, name: steward-controller-manager, namespace: steward-system}]
`))
		DeferCleanup(func() {
			kubectl("delete", "--ignore-not-found", "clusterrolebinding", clusterRole, crb)
			kubectl("delete", "--ignore-not-found", "rolebinding", clusterRole, "-n", "steward-system")
			kubectl("delete", "--ignore-not-found", "ledger", ledgerName, "-n", "steward-system")
			kubectl("delete", "--ignore-not-found", "clusterrole", clusterRole)
		})
		admitted(apply(utils.ReaderRole(namespace) + `
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: app, namespace: ` + namespace + `}
`))
		// The policies are enforced once the API server has loaded them.
		Eventually(func() string {
			return asManager("create", "serviceaccount", "probe", "-n", namespace, "--dry-run=server").Stderr
		}).WithTimeout(30 * time.Second).Should(ContainSubstring("it never creates identities"))
		Eventually(func() string {
			return kubectl("label", "serviceaccount", "app", "-n", namespace, "steward.dev/finding=probe", "--dry-run=server").Stderr
		}).WithTimeout(30 * time.Second).Should(ContainSubstring("only Steward's manager may set, change or remove steward.dev/ keys"))
	})

	Context("manager-bounds: Steward's manager on bindings", func() {
		binding := `
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: readers, namespace: ` + namespace + `, labels: {team: payments}}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: read-configmaps}
subjects:
- {kind: ServiceAccount, name: a, namespace: ` + namespace + `}
- {kind: ServiceAccount, name: b}
- {kind: User, name: "system:serviceaccount:` + namespace + `:c", apiGroup: rbac.authorization.k8s.io}
- {kind: User, name: dave@example.com, apiGroup: rbac.authorization.k8s.io}
- {kind: Group, name: payments-oncall, apiGroup: rbac.authorization.k8s.io}
`
		sa := func(name string) string {
			return `{"kind":"ServiceAccount","name":"` + name + `","namespace":"` + namespace + `"}`
		}
		const (
			saB       = `{"kind":"ServiceAccount","name":"b"}`
			userC     = `{"kind":"User","name":"system:serviceaccount:` + namespace + `:c","apiGroup":"rbac.authorization.k8s.io"}`
			userDave  = `{"kind":"User","name":"dave@example.com","apiGroup":"rbac.authorization.k8s.io"}`
			userEve   = `{"kind":"User","name":"eve@example.com","apiGroup":"rbac.authorization.k8s.io"}`
			groupTeam = `{"kind":"Group","name":"payments-oncall","apiGroup":"rbac.authorization.k8s.io"}`
		)
		// setSubjects is the manager's update of the binding: its subjects,
		// and the removed-subjects record ("" leaves it as it is).
		setSubjects := func(record string, subjects ...string) utils.Result {
			patch := `{"subjects":[` + strings.Join(subjects, ",") + `]`
			if record != "" {
				patch += `,"metadata":{"annotations":{"steward.dev/removed-subjects":"` + record + `"}}`
			}
			return asManager(merge("rolebinding", "readers", patch+`}`)...)
		}
		record := func() string {
			return jsonpath("rolebinding", "readers", `{.metadata.annotations.steward\.dev/removed-subjects}`)
		}

		BeforeAll(func() { admitted(create(binding)) })

		It("refuses to create or delete a binding", func() {
			refused(create(strings.Replace(binding, "name: readers", "name: granted", 1), "--as", stewardManager),
				"The Steward manager may not create RoleBinding "+namespace+"/granted: it only removes subjects")
			refused(asManager("delete", "rolebinding", "readers", "-n", namespace),
				"The Steward manager may not delete RoleBinding "+namespace+"/readers")
			refused(create(`
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: `+crb+`}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: view}
subjects: [{kind: User, name: eve@example.com, apiGroup: rbac.authorization.k8s.io}]
`, "--as", stewardManager), "The Steward manager may not create ClusterRoleBinding "+crb)
		})

		It("refuses to change its labels or other annotations", func() {
			refused(asManager(merge("rolebinding", "readers", `{"metadata":{"labels":{"team":"other"}}}`)...),
				"metadata: the Steward manager may not change the labels", "refused: labels")
			refused(asManager(merge("rolebinding", "readers", `{"metadata":{"annotations":{"note":"x"}}}`)...),
				"refused: annotation note")
			// roleRef is immutable in the API server itself, before admission;
			// the policy checks it as well.
			refused(asManager(merge("rolebinding", "readers", `{"roleRef":{"name":"admin","kind":"ClusterRole"}}`)...), "roleRef")
		})

		It("removes subjects and records the ServiceAccounts it removed", func() {
			admitted(setSubjects(namespace+"/a,"+namespace+"/c", saB, userDave, groupTeam))
			Expect(record()).To(Equal(namespace + "/a," + namespace + "/c"))
			// A ServiceAccount without a namespace is the RoleBinding's own.
			admitted(setSubjects(namespace+"/a,"+namespace+"/c,"+namespace+"/b", userDave, groupTeam))
		})

		It("refuses to record a subject it did not remove", func() {
			refused(setSubjects(namespace+"/a,"+namespace+"/c,"+namespace+"/b,"+namespace+"/z", userDave, groupTeam),
				"metadata.annotations[steward.dev/removed-subjects]: the Steward manager may not record "+namespace+"/z on RoleBinding "+namespace+"/readers")
			// Removing dave (a person, not a ServiceAccount) records nothing.
			refused(setSubjects(namespace+"/a,"+namespace+"/c,"+namespace+"/b,dave@example.com", groupTeam),
				"may not record dave@example.com")
		})

		It("re-adds only ServiceAccounts it recorded, with their namespace", func() {
			admitted(setSubjects("", sa("a"), userDave, groupTeam))
			// c was removed as the User system:serviceaccount:NS:c; it comes
			// back as the ServiceAccount.
			admitted(setSubjects("", sa("a"), sa("c"), userDave, groupTeam))
			refused(setSubjects("", sa("a"), sa("c"), saB, userDave, groupTeam),
				"subjects: the Steward manager may not add ServiceAccount b to RoleBinding "+namespace+"/readers",
				"it may only re-add a ServiceAccount, with its namespace, that annotation steward.dev/removed-subjects records it removed")
			admitted(setSubjects("", sa("a"), sa("c"), sa("b"), userDave, groupTeam))
		})

		It("never adds a ServiceAccount it did not remove, a User or a Group", func() {
			refused(setSubjects("", sa("a"), sa("c"), sa("b"), sa("z"), userDave, groupTeam),
				"may not add ServiceAccount "+namespace+"/z")
			refused(setSubjects("", sa("a"), sa("c"), sa("b"), userDave, userEve, groupTeam),
				"may not add User eve@example.com")
			refused(setSubjects("", sa("a"), sa("c"), sa("b"), userDave, groupTeam,
				`{"kind":"Group","name":"system:authenticated","apiGroup":"rbac.authorization.k8s.io"}`),
				"may not add Group system:authenticated")
			// Nor the User form of a ServiceAccount it recorded.
			refused(setSubjects("", sa("a"), sa("c"), sa("b"), userC, userDave, groupTeam),
				"may not add User system:serviceaccount:"+namespace+":c")
			// Removing dave and re-adding him is re-adding a User.
			admitted(setSubjects("", sa("a"), sa("c"), sa("b"), groupTeam))
			refused(setSubjects("", sa("a"), sa("c"), sa("b"), userDave, groupTeam), "may not add User dave@example.com")
		})

		It("updates a ClusterRoleBinding under the same rules, and never deletes one", func() {
			admitted(create(`
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: ` + crb + `}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: view}
subjects:
- {kind: ServiceAccount, name: a, namespace: ` + namespace + `}
- {kind: User, name: dave@example.com, apiGroup: rbac.authorization.k8s.io}
`))
			patch := func(p string) utils.Result {
				return asManager("patch", "clusterrolebinding", crb, "--type=merge", "-p", p)
			}
			admitted(patch(`{"subjects":[` + userDave + `],"metadata":{"annotations":{"steward.dev/removed-subjects":"` + namespace + `/a"}}}`))
			admitted(patch(`{"subjects":[` + userDave + `,` + sa("a") + `]}`))
			refused(patch(`{"subjects":[`+userDave+`,`+sa("a")+`,`+userEve+`]}`),
				"may not add User eve@example.com to ClusterRoleBinding "+crb)
			refused(asManager("delete", "clusterrolebinding", crb), "The Steward manager may not delete ClusterRoleBinding "+crb)
		})
	})

	Context("manager-bounds: Steward's manager on ServiceAccounts and Secrets", func() {
		BeforeAll(func() {
			admitted(apply(`
apiVersion: v1
kind: Secret
metadata: {name: key, namespace: ` + namespace + `, labels: {app: web}}
stringData: {key: v1}
`))
		})

		It("never creates an identity", func() {
			refused(asManager("create", "serviceaccount", "minted", "-n", namespace),
				"The Steward manager may not create ServiceAccount "+namespace+"/minted: it never creates identities")
			refused(asManager("create", "secret", "generic", "minted", "-n", namespace, "--from-literal=k=v"),
				"The Steward manager may not create Secret "+namespace+"/minted")
		})

		// These specs use steward.dev/e2e-* keys: the running manager strips
		// the keys it manages (steward.dev/finding, ...) from identities it
		// does not govern, such as these.
		It("sets, changes and removes its own steward.dev/ labels and annotations", func() {
			admitted(asManager(merge("serviceaccount", "app",
				`{"metadata":{"labels":{"steward.dev/e2e-finding":"unowned"},"annotations":{"steward.dev/e2e-state":"Unowned"}}}`)...))
			admitted(asManager(merge("serviceaccount", "app",
				`{"metadata":{"labels":{"steward.dev/e2e-finding":"expired"},"annotations":{"steward.dev/e2e-state":null}}}`)...))
			admitted(asManager(merge("secret", "key", `{"metadata":{"annotations":{"steward.dev/e2e-state":"Owned"}}}`)...))
			Expect(jsonpath("serviceaccount", "app", `{.metadata.labels.steward\.dev/e2e-finding}`)).To(Equal("expired"))
		})

		It("refuses to change anything else", func() {
			for patch, what := range map[string]string{
				`{"metadata":{"labels":{"app":"web"}}}`:                                     "refused: label app",
				`{"metadata":{"annotations":{"note":"x"}}}`:                                 "refused: annotation note",
				`{"metadata":{"finalizers":["example.com/hold"]}}`:                          "refused: metadata.finalizers",
				`{"automountServiceAccountToken":true}`:                                     "refused: automountServiceAccountToken",
				`{"imagePullSecrets":[{"name":"registry"}]}`:                                "refused: imagePullSecrets",
				`{"secrets":[{"name":"key"}]}`:                                              "refused: secrets",
				`{"metadata":{"labels":{"app":"web"},"annotations":{"steward.dev/a":"1"}}}`: "refused: label app",
			} {
				refused(asManager(merge("serviceaccount", "app", patch)...),
					"The Steward manager may change only steward.dev/ labels and annotations of ServiceAccount "+namespace+"/app", what)
			}
			for patch, what := range map[string]string{
				`{"data":{"key":"djI="}}`:              "refused: data",
				`{"stringData":{"key":"v2"}}`:          "refused: data",
				`{"immutable":true}`:                   "refused: immutable",
				`{"metadata":{"labels":{"app":null}}}`: "refused: label app",
				`{"metadata":{"ownerReferences":[{"apiVersion":"v1","kind":"ConfigMap","name":"x","uid":"1"}]}}`: "refused: metadata.ownerReferences",
			} {
				refused(asManager(merge("secret", "key", patch)...),
					"The Steward manager may change only steward.dev/ labels and annotations of Secret "+namespace+"/key", what)
			}
		})

		It("deletes identities", func() {
			admitted(kubectl("create", "serviceaccount", "doomed", "-n", namespace))
			admitted(asManager("delete", "serviceaccount", "doomed", "-n", namespace))
			admitted(asManager("delete", "secret", "key", "-n", namespace))
		})

		It("never deletes an identity in a protected namespace", func() {
			const name = "e2e-admission-bounds-protected"
			for _, protected := range []string{"kube-system", "steward-system"} {
				admitted(kubectl("create", "secret", "generic", name, "-n", protected, "--from-literal=k=v"))
				admitted(kubectl("create", "serviceaccount", name, "-n", protected))
				DeferCleanup(func() {
					kubectl("delete", "secret", name, "-n", protected, "--ignore-not-found")
					kubectl("delete", "serviceaccount", name, "-n", protected, "--ignore-not-found")
				})
				refused(asManager("delete", "secret", name, "-n", protected),
					"The Steward manager may not delete Secret "+protected+"/"+name+
						": Steward never acts in a protected namespace (kube-system, kube-public, kube-node-lease, steward-system)")
				refused(asManager("delete", "serviceaccount", name, "-n", protected),
					"The Steward manager may not delete ServiceAccount "+protected+"/"+name+": Steward never acts in a protected namespace")
				Expect(kubectl("get", "secret", name, "-n", protected).Err).NotTo(HaveOccurred())
				Expect(kubectl("get", "serviceaccount", name, "-n", protected).Err).NotTo(HaveOccurred())
				// An administrator still may.
				admitted(kubectl("delete", "secret", name, "-n", protected))
				admitted(kubectl("delete", "serviceaccount", name, "-n", protected))
			}
		})
	})

	Context("manager-bounds and protected-keys: ledgers", func() {
		ledger := func(ns string) string {
			return `
apiVersion: nhi.steward.dev/v1alpha1
kind: Ledger
metadata: {name: ` + ledgerName + `, namespace: ` + ns + `}
`
		}
		status := `{"status":{"identities":{"0000":"Unowned@1700000000"}}}`

		It("lets the manager write ledgers only in steward-system, and never delete one", func() {
			refused(create(ledger(namespace), "--as", stewardManager),
				"The Steward manager may write ledgers only in steward-system, not Ledger "+namespace+"/"+ledgerName)
			admitted(create(ledger("steward-system"), "--as", stewardManager))
			admitted(asManager("patch", "ledger", ledgerName, "-n", "steward-system", "--subresource=status",
				"--type=merge", "-p", status))
			refused(asManager("delete", "ledger", ledgerName, "-n", "steward-system"),
				"The Steward manager may not delete Ledger steward-system/"+ledgerName+": deleting its own records would restart grace clocks")
		})

		It("lets nobody else create or update a ledger, but an administrator delete one", func() {
			refused(create(ledger(namespace)), "Only Steward's manager may create Ledger "+namespace+"/"+ledgerName,
				"ledgers are Steward's own records")
			refused(kubectl("patch", "ledger", ledgerName, "-n", "steward-system", "--subresource=status",
				"--type=merge", "-p", `{"status":{"identities":{"0000":"Owned@1900000000"}}}`),
				"Only Steward's manager may update the status of Ledger steward-system/"+ledgerName)
			refused(kubectl("label", "ledger", ledgerName, "-n", "steward-system", "team=x"),
				"Only Steward's manager may update Ledger steward-system/"+ledgerName)
			Expect(kubectl("get", "ledger", ledgerName, "-n", "steward-system", "-o", "jsonpath={.status.identities}").Stdout).
				To(ContainSubstring("Unowned@1700000000"))
			admitted(kubectl("delete", "ledger", ledgerName, "-n", "steward-system"))
		})
	})

	Context("protected-keys: steward.dev/ keys on identities and bindings", func() {
		It("refuses anyone but the manager a steward.dev/ key on a new identity", func() {
			refused(apply(`
apiVersion: v1
kind: ServiceAccount
metadata: {name: forged, namespace: `+namespace+`, labels: {steward.dev/finding: owned}}
`), "metadata: only Steward's manager may set, change or remove steward.dev/ keys on ServiceAccount "+namespace+"/forged",
				"may not set label steward.dev/finding")
			refused(apply(`
apiVersion: v1
kind: Secret
metadata: {name: forged, namespace: `+namespace+`, annotations: {steward.dev/finding-since: "2030-01-01T00:00:00Z"}}
stringData: {key: v1}
`), "may not set annotation steward.dev/finding-since")
			// steward.dev/rotated-at may come with a new Secret.
			admitted(apply(`
apiVersion: v1
kind: Secret
metadata: {name: rotated, namespace: ` + namespace + `, annotations: {steward.dev/rotated-at: "2026-11-01T00:00:00Z"}}
stringData: {key: v1}
`))
		})

		It("refuses anyone but the manager to set, change or remove one on an existing identity", func() {
			refused(kubectl("label", "serviceaccount", "app", "-n", namespace, "steward.dev/e2e-finding=owned", "--overwrite"),
				"only Steward's manager may set, change or remove steward.dev/ keys on ServiceAccount "+namespace+"/app",
				"may not change label steward.dev/e2e-finding")
			refused(kubectl("label", "serviceaccount", "app", "-n", namespace, "steward.dev/e2e-finding-"),
				"may not change label steward.dev/e2e-finding")
			refused(kubectl("annotate", "serviceaccount", "app", "-n", namespace, "steward.dev/finding-since=2030-01-01T00:00:00Z"),
				"may not change annotation steward.dev/finding-since")
			refused(kubectl("annotate", "serviceaccount", "app", "-n", namespace, "steward.dev/rotated-at=2030-01-01T00:00:00Z"),
				"may not change annotation steward.dev/rotated-at")
			// Everything else stays the tenant's, steward.dev/ keys present or not.
			admitted(kubectl("label", "serviceaccount", "app", "-n", namespace, "app=web"))
			admitted(kubectl("annotate", "serviceaccount", "app", "-n", namespace, "note=kept"))
			Expect(jsonpath("serviceaccount", "app", `{.metadata.labels.steward\.dev/e2e-finding}`)).To(Equal("expired"))
		})

		It("accepts steward.dev/rotated-at on a Secret only with a change of its data, and its removal", func() {
			at := func(t string) string { return `"metadata":{"annotations":{"steward.dev/rotated-at":"` + t + `"}}` }
			refused(kubectl(merge("secret", "rotated", `{`+at("2030-01-01T00:00:00Z")+`}`)...),
				"metadata.annotations[steward.dev/rotated-at]:", "only in the same update that changes the Secret's data (it attests a rotation)")
			refused(kubectl(merge("secret", "rotated", `{"data":{"key":"djE="},`+at("2026-12-01T00:00:00Z")+`}`)...),
				"only in the same update that changes the Secret's data") // the same data: no rotation
			admitted(kubectl(merge("secret", "rotated", `{"data":{"key":"djI="},`+at("2026-12-01T00:00:00Z")+`}`)...))
			admitted(kubectl(merge("secret", "rotated", `{"stringData":{"key":"v3"},`+at("2026-12-01T01:00:00Z")+`}`)...))
			// Rotating without recording it, and removing the record, are the tenant's.
			admitted(kubectl(merge("secret", "rotated", `{"stringData":{"key":"v4"}}`)...))
			admitted(kubectl("annotate", "secret", "rotated", "-n", namespace, "steward.dev/rotated-at-"))
		})

		It("refuses anyone but the manager steward.dev/ annotations on bindings", func() {
			refused(apply(`
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata:
  name: forged
  namespace: `+namespace+`
  annotations: {steward.dev/removed-subjects: "`+namespace+`/intruder"}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: read-configmaps}
subjects: [{kind: ServiceAccount, name: app, namespace: `+namespace+`}]
`), "metadata.annotations: only Steward's manager may set, change or remove steward.dev/ annotations on RoleBinding "+namespace+"/forged",
				"may not set steward.dev/removed-subjects")
			// readers carries the manager's record from the specs above.
			refused(kubectl("annotate", "rolebinding", "readers", "-n", namespace, "--overwrite",
				"steward.dev/removed-subjects="+namespace+"/a,"+namespace+"/c,"+namespace+"/b,"+namespace+"/intruder"),
				"may not change steward.dev/removed-subjects")
			refused(kubectl("annotate", "rolebinding", "readers", "-n", namespace, "steward.dev/removed-subjects-"),
				"may not change steward.dev/removed-subjects")
			// Anything else about bindings is RBAC's business.
			admitted(kubectl("annotate", "rolebinding", "readers", "-n", namespace, "note=kept"))
			admitted(kubectl(merge("rolebinding", "readers", `{"subjects":[{"kind":"ServiceAccount","name":"intruder","namespace":"`+namespace+`"}]}`)...))
		})
	})

	Context("protected-keys: kubernetes.io/legacy-token-last-used", func() {
		It("is written by the API server's legacy-token tracking, and by nobody else", func() {
			admitted(apply(`
apiVersion: v1
kind: Secret
metadata:
  name: app-token
  namespace: ` + namespace + `
  annotations: {kubernetes.io/service-account.name: app}
type: kubernetes.io/service-account-token
`))
			// kube-controller-manager's token controller fills it in.
			var token string
			Eventually(func() string {
				token = jsonpath("secret", "app-token", "{.data.token}")
				return token
			}).WithTimeout(30 * time.Second).ShouldNot(BeEmpty())
			Expect(jsonpath("secret", "app-token", `{.metadata.annotations.kubernetes\.io/service-account\.uid}`)).NotTo(BeEmpty())

			refused(kubectl("label", "secret", "app-token", "-n", namespace, "kubernetes.io/legacy-token-last-used=2099-01-01"),
				"metadata.labels[kubernetes.io/legacy-token-last-used]: only the API server's legacy-token tracking (system:apiserver) may set it on Secret "+namespace+"/app-token")

			decoded := utils.Kubectl("get", "secret", "app-token", "-n", namespace, "-o", `go-template={{.data.token | base64decode}}`)
			Expect(decoded.Err).NotTo(HaveOccurred(), decoded.String())
			whoami := asToken(decoded.Stdout, "auth", "whoami")
			Expect(whoami.Err).NotTo(HaveOccurred(), whoami.String())
			Expect(whoami.Stdout).To(ContainSubstring("system:serviceaccount:" + namespace + ":app"))
			Eventually(func() string {
				return jsonpath("secret", "app-token", `{.metadata.labels.kubernetes\.io/legacy-token-last-used}`)
			}).WithTimeout(30*time.Second).Should(Equal(time.Now().UTC().Format("2006-01-02")),
				"the API server did not record the legacy token's use: the policy refused its write")

			refused(kubectl("label", "secret", "app-token", "-n", namespace, "--overwrite", "kubernetes.io/legacy-token-last-used=2099-01-01"),
				"only the API server's legacy-token tracking (system:apiserver) may set it")
			admitted(kubectl("label", "secret", "app-token", "-n", namespace, "kubernetes.io/legacy-token-last-used-"))
		})
	})

	Context("Kubernetes keeps working", func() {
		It("lets the garbage collector orphan and delete identities carrying steward.dev/ keys", func() {
			uids := map[string]string{}
			for _, owner := range []string{"owner", "owner2"} {
				admitted(kubectl("create", "configmap", owner, "-n", namespace))
				uids[owner] = jsonpath("configmap", owner, "{.metadata.uid}")
			}
			for name, owner := range map[string]string{"orphaned": "owner", "collected": "owner2"} {
				admitted(apply(`
apiVersion: v1
kind: ServiceAccount
metadata:
  name: ` + name + `
  namespace: ` + namespace + `
  ownerReferences: [{apiVersion: v1, kind: ConfigMap, name: ` + owner + `, uid: ` + uids[owner] + `}]
`))
				admitted(asManager(merge("serviceaccount", name, `{"metadata":{"labels":{"steward.dev/e2e-finding":"unowned"}}}`)...))
			}
			// Orphaning: the garbage collector removes the ownerReference
			// (an update), then the owner goes.
			admitted(kubectl("delete", "configmap", "owner", "-n", namespace, "--cascade=orphan", "--timeout=60s"))
			Eventually(func() string { return jsonpath("serviceaccount", "orphaned", "{.metadata.ownerReferences}") }).
				WithTimeout(30 * time.Second).Should(BeEmpty())
			Expect(jsonpath("serviceaccount", "orphaned", `{.metadata.labels.steward\.dev/e2e-finding}`)).To(Equal("unowned"))
			// Cascading in the foreground: the garbage collector deletes the dependent.
			admitted(kubectl("delete", "configmap", "owner2", "-n", namespace, "--cascade=foreground", "--timeout=60s"))
			Eventually(func() string {
				return kubectl("get", "serviceaccount", "collected", "-n", namespace, "--ignore-not-found", "-o", "name").Stdout
			}).WithTimeout(60 * time.Second).Should(BeEmpty())
		})

		It("still deletes a namespace holding identities and bindings with steward.dev/ keys", func() {
			admitted(kubectl("delete", "namespace", namespace, "--timeout=120s"))
		})
	})
})
