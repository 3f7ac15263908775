# Unit tests of kubernetes.rego, run like `opa test` by `gate test`.
package main

deployment(containers, security) := {
	"kind": "Deployment",
	"metadata": {"name": "web"},
	"spec": {"template": {"spec": {"containers": containers, "securityContext": security}}},
}

good := {"name": "app", "image": "registry.acme.example/web:1.2.3", "resources": {"limits": {"memory": "256Mi"}}}

test_an_allowed_image_passes if {
	count(deny) == 0 with input as deployment([good], {"runAsNonRoot": true})
}

test_an_unknown_registry_is_denied if {
	deny["web/app: image docker.io/nginx:1.27 is not from an allowed registry"] with input as deployment([object.union(good, {"image": "docker.io/nginx:1.27"})], {"runAsNonRoot": true})
}

test_the_allowed_registries_come_from_data if {
	count(deny) == 0 with input as deployment([object.union(good, {"image": "docker.io/nginx:1.27"})], {"runAsNonRoot": true})
		with data.registries.allowed as ["docker.io/"]
}

test_root_is_denied if {
	deny_root["web: set spec.template.spec.securityContext.runAsNonRoot"] with input as deployment([good], {})
}

test_a_missing_memory_limit_is_a_violation if {
	some v in violation_memory with input as deployment([{"name": "app", "image": "registry.acme.example/web:1"}], {"runAsNonRoot": true})
	v.id == "k8s-memory-limit"
}

test_latest_warns if {
	count(warn_latest) == 1 with input as deployment([object.union(good, {"image": "registry.acme.example/web:latest"})], {"runAsNonRoot": true})
}

test_the_ingress_gateway_is_excepted if {
	exception[["loadbalancer"]] with input as {"kind": "Service", "metadata": {"name": "ingress-gateway"}, "spec": {"type": "LoadBalancer"}}
}
