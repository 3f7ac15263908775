# Kubernetes workloads, conftest style (`conftest test -p policy deploy.yaml`).
package main

# Images only from the registries data.registries.allowed lists.
deny contains msg if {
	input.kind == "Deployment"
	some c in input.spec.template.spec.containers
	not allowed_image(c.image)
	msg := sprintf("%s/%s: image %s is not from an allowed registry", [input.metadata.name, c.name, c.image])
}

# Pods run as a non-root user.
deny_root contains msg if {
	input.kind == "Deployment"
	not input.spec.template.spec.securityContext.runAsNonRoot
	msg := sprintf("%s: set spec.template.spec.securityContext.runAsNonRoot", [input.metadata.name])
}

# Every container has a memory limit; the message object names the rule.
violation_memory contains {"msg": sprintf("%s/%s has no memory limit", [input.metadata.name, c.name]), "id": "k8s-memory-limit", "resource": input.metadata.name} if {
	input.kind == "Deployment"
	some c in input.spec.template.spec.containers
	not c.resources.limits.memory
}

# A moving tag is a warning.
warn_latest contains msg if {
	input.kind == "Deployment"
	some c in input.spec.template.spec.containers
	endswith(c.image, ":latest")
	msg := sprintf("%s/%s uses a :latest image", [input.metadata.name, c.name])
}

# Public load balancers are a warning, unless the exception below applies.
warn_loadbalancer contains msg if {
	input.kind == "Service"
	input.spec.type == "LoadBalancer"
	msg := sprintf("service %s is a public load balancer", [input.metadata.name])
}

# conftest's exceptions: the ingress gateway may be a load balancer.
exception contains rules if {
	input.kind == "Service"
	input.metadata.name == "ingress-gateway"
	rules := ["loadbalancer"]
}

allowed_image(image) if {
	some prefix in data.registries.allowed
	startswith(image, prefix)
}
