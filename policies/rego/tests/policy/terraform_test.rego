package terraform

import rego.v1

change(type, actions, after) := {"address": sprintf("%s.this", [type]), "type": type, "change": {"actions": actions, "after": after}}

test_a_public_acl_is_denied if {
	some d in deny_public_bucket with input as {"resource_changes": [change("aws_s3_bucket_acl", ["create"], {"acl": "public-read"})]}
	d.resource == "aws_s3_bucket_acl.this"
}

test_a_private_acl_passes if {
	count(deny_public_bucket) == 0 with input as {"resource_changes": [change("aws_s3_bucket_acl", ["update"], {"acl": "private"})]}
}

test_https_may_be_open if {
	count(deny_open_ingress) == 0 with input as {"resource_changes": [change("aws_security_group_rule", ["create"], {"type": "ingress", "from_port": 443, "cidr_blocks": ["0.0.0.0/0"]})]}
}

test_ssh_to_the_world_is_denied if {
	deny_open_ingress["aws_security_group_rule.this: port 22 is open to 0.0.0.0/0"] with input as {"resource_changes": [change("aws_security_group_rule", ["create"], {"type": "ingress", "from_port": 22, "cidr_blocks": ["0.0.0.0/0"]})]}
}

test_a_deletion_warns if {
	count(warn_delete) == 1 with input as {"resource_changes": [change("aws_instance", ["delete"], null)]}
}
