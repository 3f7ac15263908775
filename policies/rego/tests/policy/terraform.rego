# Terraform plans (`terraform show -json plan.out`), conftest style, in
# their own namespace.
package terraform

import rego.v1

changed contains rc if {
	some rc in input.resource_changes
	some action in rc.change.actions
	action in {"create", "update"}
}

# S3 buckets are never public.
deny_public_bucket contains {"msg": sprintf("%s: acl %s makes the bucket public", [rc.address, rc.change.after.acl]), "resource": rc.address} if {
	some rc in changed
	rc.type == "aws_s3_bucket_acl"
	rc.change.after.acl in {"public-read", "public-read-write"}
}

# Security groups open no port to the world but 443.
deny_open_ingress contains msg if {
	some rc in changed
	rc.type == "aws_security_group_rule"
	rc.change.after.type == "ingress"
	"0.0.0.0/0" in rc.change.after.cidr_blocks
	rc.change.after.from_port != 443
	msg := sprintf("%s: port %d is open to 0.0.0.0/0", [rc.address, rc.change.after.from_port])
}

# Deleting anything is worth a look.
warn_delete contains msg if {
	some rc in input.resource_changes
	"delete" in rc.change.actions
	msg := sprintf("%s will be destroyed", [rc.address])
}
